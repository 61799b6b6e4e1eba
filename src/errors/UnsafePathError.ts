import { InputError } from './InputError.js';

/**
 * A path read from data (a pointer, a manifest, mlv.lock, mlv.yaml, a params file, a
 * commit's tree) that would lead outside the work tree, into `.git/`, or through a
 * symbolic link. Exit 2; `data.file` names where the path came from, `data.path` the path.
 */
export class UnsafePathError extends InputError {
  constructor(file: string, path: string, reason: string) {
    super(`${file}: path '${path}' ${reason}; refused (paths from data must stay inside the work tree)`, { file, path, reason }, 'EUNSAFEPATH');
  }
}
