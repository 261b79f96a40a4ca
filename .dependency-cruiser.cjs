// The layers of src/, checked by `npm test` (npm run deps): a wrong arrow
// fails the build. Every folder has an allow-list: the folders (and loose
// files) it may import, besides its own. They point one way:
//
//   cli -> app -> scan -> probes -> net, epmd
//   app -> report, output, resume, enrich; they read records through probes/ (the registry)
//   and beneath them all: targets, files, runtime, text, record.ts, errors.ts
//
// test/integration/layers.test.ts shows that a wrong arrow fails.

/** What each folder of src/ may import besides itself (folder names; `record`, `errors`: the loose files). */
const ALLOWED = {
  text: [],
  runtime: [],
  files: ['errors', 'text'],
  epmd: ['text'],
  targets: ['errors', 'files', 'text'],
  net: ['errors', 'runtime', 'targets', 'text'],
  probes: ['epmd', 'net', 'record', 'errors', 'text', 'targets'],
  scan: ['probes', 'net', 'record', 'runtime', 'targets', 'errors', 'text'],
  enrich: ['errors', 'files', 'record', 'targets', 'text'],
  report: ['errors', 'files', 'probes', 'record', 'targets', 'text'],
  output: ['errors', 'files', 'probes', 'record', 'report', 'targets', 'text'],
  resume: ['errors', 'files', 'output', 'probes', 'record', 'report', 'targets', 'text'],
  app: [
    'enrich',
    'errors',
    'files',
    'net',
    'output',
    'probes',
    'record',
    'report',
    'resume',
    'runtime',
    'scan',
    'targets',
    'text',
  ],
  cli: [
    'app',
    'enrich',
    'errors',
    'files',
    'net',
    'output',
    'probes',
    'record',
    'report',
    'resume',
    'runtime',
    'scan',
    'targets',
    'text',
  ],
};

/** The loose files of src/ and what they may import. */
const LOOSE = {
  record: [],
  errors: ['text'],
};

/** The path pattern of a layer: a folder of src/ or one of its loose files. */
const layer = (name) => (name in LOOSE ? `^src/${name}[.]ts$` : `^src/${name}/`);

const folderRules = Object.entries({ ...ALLOWED, ...LOOSE }).map(([name, allowed]) => ({
  name: `${name}-imports-only-its-allow-list`,
  severity: 'error',
  comment: `src/${name} may import only: ${allowed.join(', ') || 'nothing of src/ but itself'}.`,
  from: { path: layer(name) },
  to: { path: '^src/', pathNot: [layer(name), ...allowed.map(layer)] },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: modules that cannot be understood, tested or moved one at a time.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-outside-the-allow-list',
      severity: 'error',
      comment: 'Every folder of src/ has an allow-list here: a new folder needs one.',
      from: {
        path: '^src/[^/]+/',
        pathNot: Object.keys(ALLOWED).map((name) => `^src/${name}/`),
      },
      to: {},
    },
    {
      name: 'index-exports-no-app',
      severity: 'error',
      comment: 'The public index re-exports the library, not the command line or the run.',
      from: { path: '^src/index[.]ts$' },
      to: { path: '^src/(cli|app)/' },
    },
    {
      name: 'only-runtime-touches-node-internals',
      severity: 'error',
      comment: 'v8 and vm (like process.binding) are Node internals: only src/runtime/ uses them.',
      from: { path: '^src/', pathNot: '^src/runtime/' },
      to: { dependencyTypes: ['core'], path: '^(node:)?(v8|vm)$' },
    },
    ...folderRules,
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a cycle of types is still a cycle of modules.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // Resolve packages' exports maps as Node does for an ES module.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'node', 'default'],
    },
  },
};

// The allow-lists, for test/integration/layers.test.ts (not a setting of dependency-cruiser).
Object.defineProperty(module.exports, 'layers', { value: { folders: ALLOWED, loose: LOOSE } });
