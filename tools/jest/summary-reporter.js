// Writes each jest run's counts to .cache/test-results/, so `npm test` can print one closing line.
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

class SummaryReporter {
  constructor(globalConfig) {
    this.globalConfig = globalConfig;
  }

  onRunComplete(_contexts, results) {
    const dir = join(__dirname, '..', '..', '.cache', 'test-results');
    mkdirSync(dir, { recursive: true });
    const name = (this.globalConfig.rootDir || 'jest').replace(/[^A-Za-z0-9]+/g, '_').slice(-60);
    writeFileSync(
      join(dir, `jest-${name}-${process.pid}.json`),
      JSON.stringify({
        numPassedTests: results.numPassedTests,
        numFailedTests: results.numFailedTests,
        numPendingTests: results.numPendingTests + results.numTodoTests,
        numFailedTestSuites: results.numFailedTestSuites,
        numRuntimeErrorTestSuites: results.numRuntimeErrorTestSuites,
      }),
    );
  }
}

module.exports = SummaryReporter;
