// What the installed command (bin/epmd-scan.js) runs, in one file: the build
// bundles this module, with the modules and packages a scan loads, into
// dist/cli/entry.bundle.js (scripts/bundle.js). Node loads one file instead
// of about 120, which took a fifth of a second and 8 MB of a short scan.

export { tuneProcess } from '../runtime/tuning.js';
export { main } from './main.js';
