/**
 * A stage's process group dies with mlv. Stages run detached (their own group, so an
 * abort stops the command and its children), which also means nothing stops them when
 * mlv itself is killed with SIGKILL and no handler runs. A small guard process, in its
 * own group, polls mlv's pid once a second and, once mlv is gone, sends the stage's
 * group SIGTERM, then SIGKILL two seconds later. mlv stops the guard when the stage ends.
 */
import { spawn } from 'node:child_process';

const GUARD = 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; kill -TERM -"$2" 2>/dev/null || exit 0; sleep 2; kill -KILL -"$2" 2>/dev/null; exit 0';

/**
 * @example
 *   const child = spawn('sh', ['-c', cmd], { detached: true });
 *   const stopGuard = guardGroup(child.pid!);
 *   child.on('close', stopGuard);
 */
export function guardGroup(pgid: number, owner: number = process.pid): () => void {
  const guard = spawn('sh', ['-c', GUARD, 'mlv-stage-guard', String(owner), String(pgid)], { detached: true, stdio: 'ignore' });
  guard.on('error', () => { /* no sh: the abort path still stops the stage */ });
  guard.unref();
  let stopped = false;
  return () => {
    if (stopped || guard.pid === undefined) return;
    stopped = true;
    // The guard's whole group: its `sleep` too.
    try { process.kill(-guard.pid, 'SIGKILL'); } catch { /* already gone */ }
  };
}
