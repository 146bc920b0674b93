module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'lib-api-client',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
};
