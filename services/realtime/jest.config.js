// Unit tests: next to the code, no infrastructure.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'realtime',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  passWithNoTests: true,
};
