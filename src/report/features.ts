/** The featurize steps of a fitted transform, in words, with the leak guard's findings. */
import type { FeaturizeState, StepState } from '../ml/featurize/index.js';
import { num } from './document.js';
import type { FeatureStep, FeaturesInfo } from './model.js';

const list = (xs: string[], max = 8) => (xs.length > max ? `${xs.slice(0, max).join(', ')} and ${xs.length - max} more` : xs.join(', '));

function describe(s: StepState): FeatureStep {
  if ('derive' in s) {
    const parts = s.derive.map((d) => ('date_part' in d ? `${d.name} = ${d.date_part} of ${d.of}` : 'expr' in d ? `${d.name} = ${d.expr}` : `${d.name} = ${d.bucket} bucketed at ${d.edges.join(', ')}`));
    return { kind: 'derive', text: `Derives ${list(parts, 10)}.`, columns: s.derive.map((d) => d.name) };
  }
  if ('join' in s) {
    const j = s.join;
    return { kind: 'join', text: `Joins ${list(j.columns.map((c) => c.name))} from ${j.file} (${j.keys.length} keys) on ${j.on} = ${j.right_on}.`, columns: j.columns.map((c) => c.name) };
  }
  if ('cross' in s) return { kind: 'cross', text: `Crosses ${s.cross.map((c) => `${c.columns.join(' × ')} into ${c.name}`).join('; ')}.`, columns: s.cross.map((c) => c.name) };
  if ('impute' in s) return { kind: 'impute', text: `Fills missing values: ${s.impute.map((x) => `${x.column} with the ${x.strategy} (${typeof x.value === 'number' ? num(x.value) : x.value})`).join(', ')}.`, columns: s.impute.map((x) => x.column) };
  if ('encode' in s) {
    const parts = s.encode.map((e) => `${e.column} ${e.method === 'onehot' || e.method === 'ordinal' ? `${e.method} over ${e.categories.length} categories` : e.method === 'hash' ? `hashed into ${e.buckets} buckets` : 'by frequency'}`);
    return { kind: 'encode', text: `Encodes ${parts.join(', ')}.`, columns: s.encode.map((e) => e.column) };
  }
  if ('scale' in s) return { kind: 'scale', text: `Scales ${s.scale.map((x) => `${x.column} (${x.method})`).join(', ')}.`, columns: s.scale.map((x) => x.column) };
  if ('drop' in s) return { kind: 'drop', text: `Drops ${list(s.drop)}.`, columns: s.drop };
  if ('filter' in s) return { kind: 'filter', text: `Keeps the rows where ${s.filter.expr} (${s.filter.dropped} dropped when fitted).`, columns: [] };
  if ('drop_missing' in s) {
    const cols = s.drop_missing.columns;
    return { kind: 'drop_missing', text: `Drops the rows missing a value ${cols === 'all' ? 'in any column' : `in ${list(cols)}`} (${s.drop_missing.dropped} dropped when fitted).`, columns: [] };
  }
  return { kind: 'keep', text: `Keeps only ${list(s.keep)}.`, columns: s.keep };
}

/** Columns a step reads (to find the target among them). */
function reads(s: StepState): string[] {
  if ('derive' in s) return s.derive.flatMap((d) => ('date_part' in d ? [d.of] : 'bucket' in d ? [d.bucket] : [d.expr]));
  if ('cross' in s) return s.cross.flatMap((c) => c.columns);
  if ('impute' in s) return s.impute.map((x) => x.column);
  if ('encode' in s) return s.encode.map((x) => x.column);
  if ('scale' in s) return s.scale.map((x) => x.column);
  if ('join' in s) return [s.join.on];
  return [];
}

export function describeFeatures(state: FeaturizeState, source: string): FeaturesInfo {
  const inputs = Object.keys(state.inputs);
  const steps = state.steps.map(describe);
  const derived = state.outputs.filter((c) => !(c in state.inputs) && c !== state.target);
  const dropped = inputs.filter((c) => !state.outputs.includes(c));
  const leakGuard: string[] = [];
  const t = state.target;
  if (t) {
    const word = new RegExp(`(^|[^A-Za-z0-9_])${t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^A-Za-z0-9_]|$)`);
    // Row steps only drop rows (a filter on the label makes no feature of it).
    const readers = state.steps.filter((s) => !('drop' in s) && !('keep' in s) && !('filter' in s) && !('drop_missing' in s) && reads(s).some((c) => c === t || word.test(c)));
    if (readers.length) leakGuard.push(`Warning: ${readers.map((s) => describe(s).kind).join(', ')} step(s) read the target "${t}": its values can leak into the features.`);
    else leakGuard.push(`No step reads the target "${t}": it passes through unchanged and no feature is computed from it.`);
  }
  const fitted = state.steps.filter((s) => 'impute' in s || 'scale' in s || ('encode' in s && s.encode.some((e) => e.method !== 'hash')));
  if (fitted.length) {
    leakGuard.push('Fitted statistics (fill values, categories, offsets and scales) are stored in the state and replayed unchanged on new rows (mlv predict, featurize --apply); they were fitted on every row of the featurized file, so cross-validation folds of that file share them.');
  }
  return { source, target: t, inputs, outputs: state.outputs, derived, dropped, steps, leakGuard };
}
