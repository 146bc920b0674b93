module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'lib-logging',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  passWithNoTests: true,
};
