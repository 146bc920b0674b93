// Chart tests: render the chart with a real helm and assert on the manifests.
const preset = require('../../jest.preset.js');

// The root .swcrc excludes *.spec.ts from the build, and @swc/core reads it unless told not
// to: reuse the preset's swc options with `swcrc: false` so the specs transpile.
const [pattern, [transformer, swcOptions]] = Object.entries(preset.transform)[0];

module.exports = {
  displayName: 'chart-parley',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['**/test/**/*.spec.ts'],
  testTimeout: 120000,
  transform: { [pattern]: [transformer, { ...swcOptions, swcrc: false }] },
};
