module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'lib-config',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  passWithNoTests: true,
};
