/** Parley's version, as /api/config and /api/version report it; version.spec.ts keeps it equal to package.json's. */
export const PARLEY_VERSION = '0.1.0';
