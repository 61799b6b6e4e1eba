/**
 * Worker thread that grows trees for forest.ts. It receives the sorted data once
 * (SharedArrayBuffers, not copied) and then one message per tree; the tree's seed
 * comes with the job, so results do not depend on which worker grew which tree.
 */
import { parentPort } from 'node:worker_threads';
import { CartBuilder, type CartData, type CartOptions } from './cart.js';

let builder: CartBuilder | null = null;

parentPort!.on('message', (msg: { type: 'data'; data: CartData } | { type: 'tree'; index: number; opts: CartOptions }) => {
  if (msg.type === 'data') {
    builder = new CartBuilder(msg.data);
    return;
  }
  const t = builder!.build(msg.opts);
  parentPort!.postMessage(
    { index: msg.index, tree: t },
    [t.feature.buffer, t.threshold.buffer, t.left.buffer, t.right.buffer, t.value.buffer, t.importance.buffer] as ArrayBuffer[],
  );
});
