import path from 'node:path';

/**
 * Where the benches look for DAVIS when `--davis` is not given: the 12 training sequences in
 * `shared/` beside the project root, resolved from this file so any working directory works.
 */
export const DEFAULT_DAVIS_DIR = path.resolve(__dirname, '../../shared/davis2016-train');
