module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'lib-nats',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  passWithNoTests: true,
};
