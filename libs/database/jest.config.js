module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'lib-database',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  passWithNoTests: true,
};
