// Integration tests: the service in-process against the real PostgreSQL, Redis and NATS.
const { esModuleDependencies } = require('./jest.esm.js');

const preset = require('../../jest.preset.js');

module.exports = {
  ...preset,
  displayName: 'files:integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.integration-spec.ts'],
  testTimeout: 60000,
  maxWorkers: 1,
  passWithNoTests: true,
  ...esModuleDependencies,
};
