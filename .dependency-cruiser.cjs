// The layers of src/, checked by `npm test` (npm run deps): a wrong arrow
// fails the build. They point one way:
//
//   cli  ->  scan (scan.ts, parallel.ts, scan-worker.ts, engine.ts, ...)
//        ->  probes/ (what a probe asks and what the answer means)
//        ->  net/ (bytes and sockets) and epmd/ (the protocol's codecs)
//
// with targets/, enrich/, output/, report/, resume/, text/ and runtime/ beside
// them. test/integration/layers.test.ts shows that a wrong arrow fails.

/** Files of the scanning core: they never import the reporting side. */
const CORE = '^src/(scan|scan-options|parallel|scan-worker|engine|record-batch|fifo)[.]ts$';

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
      name: 'nothing-imports-cli',
      severity: 'error',
      comment: 'src/cli/ is the top layer: only it (and bin/) may import it.',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'net-knows-bytes-and-sockets',
      severity: 'error',
      comment:
        'src/net/ connects, reads and times out; what the bytes mean lives in probes/ and epmd/.',
      from: { path: '^src/net/' },
      to: {
        path: ['^src/(epmd|probes|cli|report|output|enrich|resume)/', CORE],
      },
    },
    {
      name: 'codecs-are-pure',
      severity: 'error',
      comment: 'src/epmd/ turns bytes into values and back: no sockets, no scan, no reports.',
      from: { path: '^src/epmd/' },
      to: {
        path: ['^src/(net|probes|cli|report|output|enrich|resume|targets|runtime)/', CORE],
      },
    },
    {
      name: 'probes-below-scan',
      severity: 'error',
      comment: 'src/probes/ is used by the scan, never the other way round.',
      from: { path: '^src/probes/' },
      to: { path: ['^src/(cli|report|output|enrich|resume)/', CORE] },
    },
    {
      name: 'core-does-not-report',
      severity: 'error',
      comment:
        'The scan yields records; formatting, gating and checkpoints are done by its callers.',
      from: { path: CORE },
      to: { path: '^src/(report|output|resume)/' },
    },
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
