/** Tests run as native ES modules; SWC strips the TypeScript types. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2023', experimental: { keepImportAttributes: true } },
      module: { type: 'es6' },
    }],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/packages/*/test/**/*.test.ts'],
  testTimeout: 30000,
  maxWorkers: 2,
  // A worker keeps every suite's modules (ESM registry, oidc-provider instances) until it exits:
  // past ~280 suites one ran out of its 4 GB heap. It is replaced between suites once it holds this much.
  workerIdleMemoryLimit: '1536MB',
};
