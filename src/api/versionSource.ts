/**
 * The versions of a repository (commits and experiments) as a VersionSource: rows with
 * params and metrics, per-version detail and pairwise diffs. What `mlv ui` browses.
 * @example
 *   const source = await openVersionSource('/repo');
 *   const rows = await source.rows();
 */
export { openVersionSource, type SourceOptions } from '../experiments/source.js';
