// Integration tests: the NATS client against the machine's real NATS server (JetStream on).
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'lib-nats:integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.integration-spec.ts'],
  testTimeout: 60000,
  maxWorkers: 1,
  passWithNoTests: true,
};
