// Integration tests: the service in-process against the real PostgreSQL, Redis and NATS.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'chat:integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.integration-spec.ts'],
  testTimeout: 60000,
  maxWorkers: 1,
  passWithNoTests: true,
};
