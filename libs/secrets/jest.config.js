module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'lib-secrets',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  passWithNoTests: true,
};
