/**
 * Worker thread of histThreads.ts: per fit it receives the shared arrays once, says
 * 'ready', then builds its range of features of each histogram it is woken for (control
 * block in shared memory) into the shared scratch histogram, until told to detach.
 */
import { parentPort } from 'node:worker_threads';
import { CHUNK, histogramFeatures, type Gradients } from './splitter.js';
import { DONE, END, F0, F1, LABEL, OFFSET, OP, OP_DETACH, ROOT, SEQ, START, type AttachMessage } from './histThreads.js';

const og = new Float64Array(CHUNK), oh = new Float64Array(CHUNK);

parentPort!.on('message', (a: AttachMessage) => {
  const { ctrl, p, m } = a;
  const binned = Array.from({ length: p }, (_, f) => a.binned.subarray(f * m, (f + 1) * m));
  let seq = Atomics.load(ctrl, SEQ);
  parentPort!.postMessage('ready');
  for (;;) {
    Atomics.wait(ctrl, SEQ, seq);
    seq = Atomics.load(ctrl, SEQ);
    // Read once: once DONE is stored, the caller may already be writing its next request.
    const detach = ctrl[OP] === OP_DETACH;
    if (!detach) {
      const off = ctrl[OFFSET];
      const gr: Gradients = { s: a.s.subarray(off, off + m), y: a.y, k: ctrl[LABEL], unitHessian: a.unitHessian };
      histogramFeatures(binned, ctrl[ROOT] ? null : a.idx, ctrl[START], ctrl[END], gr, og, oh, a.scratch, ctrl[F0], ctrl[F1]);
    }
    Atomics.store(ctrl, DONE, seq);
    Atomics.notify(ctrl, DONE);
    if (detach) return;
  }
});
