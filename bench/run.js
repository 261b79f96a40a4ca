// npm run bench: every benchmark, printed as Markdown tables for the README.

import { benchEngine } from './engine.js';
import { benchListTargets } from './list-targets.js';
import { HAVE_GNU_TIME } from './measure.js';

if (!HAVE_GNU_TIME) {
  console.log(
    'bench: /usr/bin/time (GNU time) is needed to measure peak RSS: apt-get install time',
  );
  process.exit(0);
}
console.log(
  `## Benchmarks (${new Date().toISOString().slice(0, 10)}, ${(await import('node:os')).cpus().length} cores, Node ${process.version})\n`,
);
console.log(await benchListTargets());
console.log('');
console.log(await benchEngine());
