// Kept for suites that still import the runtime tests' databases from here; see ../support/databases.ts.
export * from '../support/databases.js';
