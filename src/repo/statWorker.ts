/**
 * A worker thread of treeCheck.ts: checks its share of a tracked directory's sections
 * against the work tree. The index's bytes arrive in a SharedArrayBuffer (not copied).
 */
import { parentPort } from 'node:worker_threads';
import { scanSections, type ScanTask } from './sectionScan.js';

parentPort!.on('message', (m: { sab: SharedArrayBuffer; tasks: ScanTask[] }) => {
  parentPort!.postMessage(scanSections(new Uint8Array(m.sab), m.tasks));
});
