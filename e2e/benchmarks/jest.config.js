// Benchmarks: `npx nx run e2e:bench` runs all at their small default sizes (`e2e:bench-chat` one). The chat-history one (needs `npm run build`). BENCH_CHATS sets the
// big user's chat count (default 1,000; the figure is BENCH_CHATS=10000), 20 messages each.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'bench',
  rootDir: __dirname,
  testMatch: ['<rootDir>/**/*.bench-spec.ts', '<rootDir>/**/*.bench.ts'],
  testTimeout: 900000,
  maxWorkers: 1,
};
