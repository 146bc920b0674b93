module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'lib-lifecycle',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  passWithNoTests: true,
};
