// The chart smoke: the rendered env boots real service processes against the loopback PostgreSQL,
// Redis and NATS. Needs the services built.
const unit = require('./jest.config.js');

module.exports = {
  ...unit,
  displayName: 'chart-parley-integration',
  testMatch: ['**/test/**/*.integration-spec.ts'],
  testTimeout: 180000,
};
