module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'lib-errors',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  passWithNoTests: true,
};
