// Loaded with `node --import`: appends every bare import matching MLV_TRACE_PATTERN
// (default: ink or react) to the file named by MLV_TRACE_IMPORTS, to check that only the
// commands that need a heavy dependency load it (`mlv ui`; the queue's verbs).
import { register } from 'node:module';

register('data:text/javascript,' + encodeURIComponent(`
import { appendFileSync } from 'node:fs';
const pattern = new RegExp(process.env.MLV_TRACE_PATTERN || '^(ink|react)(/|$)');
export async function resolve(specifier, context, next) {
  if (process.env.MLV_TRACE_IMPORTS && pattern.test(specifier)) {
    appendFileSync(process.env.MLV_TRACE_IMPORTS, specifier + '\\n');
  }
  return next(specifier, context);
}
`));
