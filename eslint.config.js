import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Tests and their support files: exempt from the boundaries and the function-length limit. */
const TEST_FILES = ['**/*.test.ts', '**/test-support.ts', '**/test-helpers.ts', '**/test-harness.ts', 'test/**'];

/** Longest function body (lines of code, without blank lines and comments) outside tests. */
const MAX_FUNCTION_LINES = 150;

/** Import patterns of a folder of src/, as a file in src/ or one of its subfolders writes them. */
const srcFolder = (name) => [`../${name}/**`, `../../${name}/**`, `../../../${name}/**`];
const folders = (...names) => names.flatMap(srcFolder);

/** What no production file imports: the simulator, tests' support and the benchmarks. */
const TEST_ONLY = {
  group: [...srcFolder('sim'), '**/test/**', '**/bench/**', '**/test-support*', '**/test-helpers*', '**/test-harness*'],
  message: 'production code never imports src/sim/, test support or bench/ (tests may)',
};
const NETWORK = ['node:net', 'node:tls', 'node:http', 'node:https', 'node:http2', 'node:dgram', 'net', 'tls', 'http'];
const FILES = ['node:fs', 'node:fs/promises', 'fs', 'fs/promises', 'node:child_process'];
/** The process and its callers: the composition root (src/node/), the CLI and the request side. */
const UPPER = ['handlers', 'server', 'cli', 'node'];

/** Per room: the folders it must not import, and why. */
const SRC_ROOMS = {
  common: {
    deny: [
      'admin',
      'broker',
      'cli',
      'client',
      'console',
      'controller',
      'groups',
      'handlers',
      'metadata',
      'node',
      'ops',
      'server',
      'testcontainers',
      'transactions',
    ],
    why: 'src/common/ imports nothing of src/ outside itself',
  },
  metadata: {
    deny: [...UPPER, 'admin', 'ops', 'client', 'console', 'broker', 'controller', 'groups', 'transactions'],
    why: 'src/metadata/ is the bottom of the domain: it imports only common/ and protocol/',
  },
  controller: {
    deny: [...UPPER, 'admin', 'ops', 'client', 'console', 'broker', 'groups', 'transactions'],
    why: 'src/controller/ (the quorum) imports metadata/ and common/, never the broker, coordinators or the request side',
  },
  broker: {
    deny: [...UPPER, 'admin', 'ops', 'client', 'console', 'groups', 'transactions'],
    why: 'src/broker/ is the data path: it never imports the coordinators, handlers, server, CLI or the composition root',
  },
  groups: {
    deny: [...UPPER, 'admin', 'ops', 'client', 'console', 'transactions'],
    why: 'src/groups/ never imports transactions, handlers, server, CLI or the composition root',
  },
  transactions: {
    deny: [...UPPER, 'admin', 'ops', 'client', 'console'],
    why: 'src/transactions/ never imports handlers, server, CLI or the composition root',
  },
  server: {
    deny: ['handlers', 'cli', 'node', 'admin', 'ops', 'client', 'console'],
    why: 'src/server/ gets its handler tables injected by src/node/: it never imports a handler',
  },
  admin: {
    deny: ['handlers', 'cli', 'node', 'ops', 'console'],
    why: 'src/admin/ is shared by the admin handlers; it never imports them or the process',
  },
  handlers: {
    deny: ['cli', 'node', 'ops', 'client', 'console'],
    why: 'handlers never import the CLI or the composition root',
  },
  ops: {
    deny: ['handlers', 'cli', 'node'],
    why: 'src/ops/ reads the broker; it never imports handlers, the CLI or the composition root',
  },
  client: {
    deny: ['handlers', 'cli', 'node', 'broker', 'groups', 'transactions', 'controller', 'admin', 'ops', 'console'],
    why: 'src/client/ speaks the Kafka protocol only',
  },
  console: {
    deny: [
      'handlers',
      'cli',
      'node',
      'server',
      'broker',
      'groups',
      'transactions',
      'controller',
      'metadata',
      'admin',
      'ops',
    ],
    why: 'src/console/ reads the cluster through src/client/ only',
  },
  node: { deny: ['cli'], why: 'the composition root never imports the CLI (the CLI starts it)' },
  cli: { deny: [], why: 'the CLI is the top: it may import any room' },
};

function boundaryRules() {
  const block = (files, patterns, paths = []) => ({
    files,
    ignores: TEST_FILES,
    rules: { 'no-restricted-imports': ['error', { patterns, paths }] },
  });
  const named = (names, message) => names.map((name) => ({ name, message }));
  return [
    block(
      ['protocol/**/*.ts'],
      [
        { group: ['**/src/**', '**/storage/**'], message: 'protocol/ imports nothing of ours outside protocol/' },
        TEST_ONLY,
      ],
      [
        ...named(NETWORK, 'protocol/ is the wire format: no sockets'),
        ...named(FILES, 'protocol/ is the wire format: no files'),
      ],
    ),
    // The generator is a build tool: it reads the JSON schemas and writes generated/.
    block(
      ['protocol/generator/**/*.ts'],
      [
        { group: ['**/src/**', '**/storage/**'], message: 'protocol/ imports nothing of ours outside protocol/' },
        TEST_ONLY,
      ],
    ),
    block(
      ['storage/**/*.ts'],
      [{ group: ['**/src/**'], message: 'storage/ imports only protocol/: no broker, handlers or network' }, TEST_ONLY],
      named(NETWORK, 'storage/ knows no network'),
    ),
    ...Object.entries(SRC_ROOMS).map(([room, { deny, why }]) =>
      block(
        [`src/${room}/**/*.ts`],
        deny.length > 0 ? [{ group: folders(...deny), message: why }, TEST_ONLY] : [TEST_ONLY],
      ),
    ),
    block(['src/*.ts', 'src/testcontainers/**/*.ts'], [TEST_ONLY]),
  ];
}

export default tseslint.config(
  {
    ignores: [
      'protocol/generated/**',
      'dist/**',
      'node_modules/**',
      'compat-tests/kafkajs/work/**',
      '.tap/**',
      'data/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // Import boundaries, one block per room (ARCHITECTURE.md, "Who may import whom"). Tests and
  // test support may import anything; `npm run check` also runs dependency-cruiser
  // (.dependency-cruiser.cjs), which refuses any import cycle between folders.
  ...boundaryRules(),
  {
    files: ['**/*.ts'],
    rules: { 'max-lines': ['error', { max: 800 }] },
  },
  {
    files: ['**/*.ts'],
    ignores: TEST_FILES,
    rules: {
      'max-lines-per-function': ['error', { max: MAX_FUNCTION_LINES, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { globals: { module: 'writable', require: 'readonly' } },
  },
);
