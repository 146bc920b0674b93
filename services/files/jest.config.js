// Unit tests: next to the code, no infrastructure.
const { esModuleDependencies } = require('./jest.esm.js');

const preset = require('../../jest.preset.js');

module.exports = {
  ...preset,
  displayName: 'files',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  passWithNoTests: true,
  ...esModuleDependencies,
};
