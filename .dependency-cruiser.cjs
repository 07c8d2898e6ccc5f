/**
 * The import-cycle check of `npm run check` (npm run cycles): no cycle between folders
 * (each directory is a module: src/broker -> src/handlers -> src/broker is refused) and
 * none between files. Test files are left out (tests may import anything); test/helpers/
 * and bench/ are in, so the benchmarks may import test helpers but not the reverse.
 * Type-only imports count. The per-room import rules are ESLint's (eslint.config.js).
 */
module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycle',
      comment: 'Folders import each other one way only (ARCHITECTURE.md, "Who may import whom").',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-file-cycle',
      comment: 'No module imports itself through others.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: {
      path: ['\\.test\\.ts$', '^protocol/generated/', '^dist/', '^node_modules/', '^compat-tests/kafkajs/work/'],
    },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs'] },
  },
};
