module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'lib-redis',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  passWithNoTests: true,
};
