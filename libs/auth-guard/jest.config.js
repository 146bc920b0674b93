module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'lib-auth-guard',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  passWithNoTests: true,
};
