module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'lib-grpc',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  passWithNoTests: true,
};
