// Dependencies that ship only as ES modules (file-type and its helpers; unpdf's PDF.js bundle, which it
// loads with import()): jest runs CommonJS, so swc turns them into CommonJS like our own code. Node itself
// loads them natively (require of ES modules, Node 20.19+).
const path = require('node:path');
const preset = require('../../jest.preset.js');

const swc = preset.transform['^.+\\.(t|j)s$'];

exports.esModuleDependencies = {
  transform: { ...preset.transform, '^.+\\.(c|m)js$': swc },
  transformIgnorePatterns: [
    '/node_modules/(?!(file-type|strtok3|token-types|@tokenizer|uint8array-extras|@borewit|unpdf)/)',
  ],
  moduleFileExtensions: [...preset.moduleFileExtensions, 'mjs', 'cjs'],
  moduleNameMapper: {
    ...preset.moduleNameMapper,
    '^unpdf/pdfjs$': path.join(__dirname, '../../node_modules/unpdf/dist/pdfjs.mjs'),
  },
};
