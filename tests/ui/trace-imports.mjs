// Loaded with `node --import`: appends every bare import of ink or react to the
// file named by MLV_TRACE_IMPORTS, to check that only `mlv ui` loads them.
import { register } from 'node:module';

register('data:text/javascript,' + encodeURIComponent(`
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  if (process.env.MLV_TRACE_IMPORTS && /^(ink|react)(\\/|$)/.test(specifier)) {
    appendFileSync(process.env.MLV_TRACE_IMPORTS, specifier + '\\n');
  }
  return next(specifier, context);
}
`));
