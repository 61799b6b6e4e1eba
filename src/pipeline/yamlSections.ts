/**
 * Reading only the top-level entries of a big YAML params file that stages name. The
 * `yaml` package parses about 1 MB/s here and holds some hundred times the text while it
 * does (a 6 MB params.yaml took 38 s and 3 GB), so a file over SECTION_MIN_BYTES is cut
 * by a line scan into the top-level `key:` entries wanted, and only those are parsed
 * (docs/pipelines.md, "Limits"). The cut is used only where it cannot change the result:
 * a plain block mapping at the top, each key once, no anchors or aliases in what is kept.
 */

/** Params files at least this long are read by section. */
export const SECTION_MIN_BYTES = 256 * 1024;
/** Longest YAML params file parsed whole, when it cannot be read by section. */
export const MAX_WHOLE_PARAMS_BYTES = 2 * 1024 * 1024;

/** A token that starts an anchor, an alias or a merge key, outside or inside quotes (over-cautious by design). */
const ANCHOR_OR_ALIAS = /(^|[\s[{,:-])[&*][^\s,\]}]|<<\s*:/m;

/**
 * The entries of `keys` cut out of `text`, blank lines standing in for the rest so that
 * line numbers in parse errors stay those of the file; or why the file cannot be cut.
 * @example
 *   topLevelSections('b: 2\na:\n  x: 1\n', new Set(['a'])) // { text: '\na:\n  x: 1\n' }
 */
export function topLevelSections(text: string, keys: ReadonlySet<string>): { text: string } | { reason: string } {
  const seen = new Set<string>();
  const parts: string[] = [];
  let skipped = 0; // lines left out since the last kept entry
  let keeping = false;
  let start = 0; // of the entry being kept
  const n = text.length;
  for (let pos = 0; pos < n;) {
    let eol = text.indexOf('\n', pos);
    if (eol === -1) eol = n;
    const c = text.charCodeAt(pos);
    // Indented, blank, or a comment: part of the current entry (or between entries).
    const inside = c === 32 || c === 9 || c === 10 || c === 13 || c === 35;
    if (!inside) {
      if (keeping) { parts.push(text.slice(start, pos)); keeping = false; }
      const line = text.slice(pos, eol);
      if (/^(---|\.\.\.|%)/.test(line)) return { reason: 'document markers or directives' };
      if (/^["'?{[\-&*!|>@`]/.test(line) || c === 0xfeff) return { reason: `line ${lineOf(text, pos)} is not a plain "key:" at the top` };
      const m = /^([^:#]*[^\s:#]):(?:[ \t]|\r?$)/.exec(line);
      if (!m) return { reason: `line ${lineOf(text, pos)} is not a plain "key:" at the top` };
      const key = m[1];
      if (seen.has(key)) return { reason: `'${key}' appears twice at the top` };
      seen.add(key);
      if (keys.has(key)) {
        parts.push('\n'.repeat(skipped));
        skipped = 0;
        keeping = true;
        start = pos;
      }
    }
    if (!keeping) skipped++;
    pos = eol + 1;
  }
  if (keeping) parts.push(text.slice(start) + (text.endsWith('\n') ? '' : '\n'));
  const out = parts.join('');
  if (ANCHOR_OR_ALIAS.test(out)) return { reason: 'anchors or aliases in the entries stages use' };
  return { text: out };
}

function lineOf(text: string, pos: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < pos; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
