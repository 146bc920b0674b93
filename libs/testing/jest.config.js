module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'lib-testing',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  passWithNoTests: true,
};
