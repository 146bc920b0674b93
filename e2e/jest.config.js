// Black-box tests of the built system: services run as separate processes on real transports.
// One suite at a time: each starts its own processes and 2 cores are all CI has.
module.exports = {
  ...require('../jest.preset.js'),
  displayName: 'e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.e2e-spec.ts'],
  testTimeout: 120000,
  maxWorkers: 1,
};
