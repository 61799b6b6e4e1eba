/**
 * A streaming RFC 4180 CSV tokenizer. Hand-written rather than papaparse because error
 * messages must name the physical line of a bad row (quoted fields may span lines and
 * blank lines are skipped), which papaparse's step API does not report; it is also
 * faster on this machine (see bench/data.ts).
 *
 * Accepts: a UTF-8 BOM, CRLF / LF / CR line ends, quoted fields with embedded commas,
 * quotes ("") and newlines. Blank lines are skipped (as pandas does).
 */
import { createReadStream } from 'node:fs';
import { InputError } from '../../errors/index.js';

const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;

/**
 * Most fields a row may have, the header included: readers keep state per column, so a
 * 10-million-column header is refused at once rather than read (docs/ml-data.md, "Limits").
 */
export const MAX_COLUMNS = 100_000;
/** Longest row, in characters: a row is held whole in memory while it is read. */
export const MAX_ROW_CHARS = 256 * 1024 * 1024;

/** Where an unfinished row stands, so that the next chunk alone is scanned (see CsvTokenizer.advance). */
const enum At { FieldStart, Unquoted, Quoted, QuoteSeen }

function tooWide(file: string, line: number): InputError {
  return new InputError(`${file}: line ${line}: more than ${MAX_COLUMNS.toLocaleString('en-US')} columns; mlv reads at most ${MAX_COLUMNS.toLocaleString('en-US')} (docs/ml-data.md, "Limits")`, { file, line, limit: MAX_COLUMNS }, 'ETOOWIDE');
}

function tooLong(file: string, line: number): InputError {
  return new InputError(`${file}: line ${line}: a row longer than ${MAX_ROW_CHARS / 1024 / 1024} MiB; mlv reads rows up to ${MAX_ROW_CHARS / 1024 / 1024} MiB (docs/ml-data.md, "Limits")`, { file, line, limit: MAX_ROW_CHARS }, 'ETOOLONG');
}

export interface RowSink {
  /** `line` is the 1-based physical line the row starts on. Return false to stop early. */
  (fields: string[], line: number): void | boolean;
}

export interface ParseProgress {
  bytes: number;
  total?: number;
}

/**
 * Incremental tokenizer: feed text chunks, get complete rows.
 *
 * A row longer than a chunk is not parsed again with every chunk (which made a 100 MB
 * field quadratic): once a row is known unfinished, each new chunk is only scanned for
 * where the row could end, keeping the counts the limits need, and the row is parsed
 * once, whole, when it ends.
 */
export class CsvTokenizer {
  private pending = '';
  private line = 1;
  private first = true;
  stopped = false;
  /** The unfinished row, in pieces, while `open` says how far it got. */
  private parts: string[] = [];
  private open: { at: At; fields: number; chars: number } | null = null;

  constructor(private readonly file: string, private readonly sink: RowSink) {}

  feed(chunk: string): void {
    if (this.stopped) return;
    if (this.first && chunk.length > 0) {
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      this.first = false;
    }
    let text: string;
    if (this.open) {
      if (!this.advance(chunk)) { this.parts.push(chunk); return; }
      text = this.parts.join('') + chunk;
      this.parts = [];
      this.open = null;
    } else text = this.pending.length > 0 ? this.pending + chunk : chunk;
    const used = this.parse(text, false);
    this.pending = used < text.length ? text.slice(used) : '';
    if (this.pending.length === 0) return;
    // What is left starts an unfinished row: from now on only new chunks are scanned.
    this.open = { at: At.FieldStart, fields: 1, chars: 0 };
    if (this.advance(this.pending)) this.open = null; // it may end right here (a CR or quote at the very end): parse again next time
    else { this.parts = [this.pending]; this.pending = ''; }
  }

  end(): void {
    if (this.stopped) return;
    const text = this.open ? this.parts.join('') : this.pending;
    this.pending = '';
    this.parts = [];
    this.open = null;
    if (text.length > 0) this.parse(text, true);
  }

  /**
   * Scan `s`, the next piece of the unfinished row, as parse() would read it: true when
   * the row may end in it. Enforces the limits on the way.
   */
  private advance(s: string): boolean {
    const o = this.open!;
    o.chars += s.length;
    if (o.chars > MAX_ROW_CHARS) throw tooLong(this.file, this.line);
    let at = o.at;
    let fields = o.fields;
    const n = s.length;
    for (let i = 0; i < n; i++) {
      if (at === At.Quoted) {
        const q = s.indexOf('"', i);
        if (q === -1) break;
        i = q;
        at = At.QuoteSeen;
        continue;
      }
      const c = s.charCodeAt(i);
      if (c === LF || c === CR) return true;
      else if (c === COMMA) {
        if (++fields > MAX_COLUMNS) throw tooWide(this.file, this.line);
        at = At.FieldStart;
      } else if (at === At.QuoteSeen) {
        if (c !== QUOTE) return true; // an error parse() will report
        at = At.Quoted;
      } else if (at === At.FieldStart) at = c === QUOTE ? At.Quoted : At.Unquoted;
    }
    o.at = at;
    o.fields = fields;
    return false;
  }

  /** Parses as many complete rows as `text` holds; returns how many chars were consumed. */
  private parse(text: string, final: boolean): number {
    const n = text.length;
    let i = 0;
    while (i < n) {
      // Fast path: a whole line without quotes or stray CRs splits natively.
      const nl = text.indexOf('\n', i);
      if (nl !== -1) {
        let end = nl;
        if (end > i && text.charCodeAt(end - 1) === CR) end--;
        const line = text.slice(i, end);
        if (line.indexOf('"') === -1 && line.indexOf('\r') === -1) {
          const rowLine = this.line++;
          i = nl + 1;
          if (line.length === 0) continue;
          const fields = line.split(',');
          if (fields.length > MAX_COLUMNS) throw tooWide(this.file, rowLine);
          if (this.sink(fields, rowLine) === false) {
            this.stopped = true;
            return n;
          }
          continue;
        }
      }
      const rowStart = i;
      const rowLine = this.line;
      let extraLines = 0;
      const fields: string[] = [];
      let complete = false;
      for (;;) {
        if (i >= n) {
          // Text ended right after a delimiter.
          if (!final) return rowStart;
          fields.push('');
          complete = true;
          break;
        }
        let c = text.charCodeAt(i);
        if (c === QUOTE) {
          let j = i + 1;
          let segStart = j;
          let value = '';
          for (;;) {
            const q = text.indexOf('"', j);
            if (q === -1) {
              if (!final) return rowStart;
              throw new InputError(`${this.file}: line ${rowLine}: unterminated quoted field (column ${fields.length + 1})`, {
                file: this.file, line: rowLine, column: fields.length + 1,
              });
            }
            if (q + 1 >= n && !final) return rowStart;
            if (text.charCodeAt(q + 1) === QUOTE) {
              value += text.slice(segStart, q + 1);
              j = q + 2;
              segStart = j;
              continue;
            }
            value += text.slice(segStart, q);
            i = q + 1;
            break;
          }
          for (let k = value.indexOf('\n'); k !== -1; k = value.indexOf('\n', k + 1)) extraLines++;
          fields.push(value);
          if (i >= n) {
            if (!final) return rowStart;
            complete = true;
            break;
          }
          c = text.charCodeAt(i);
          if (c === COMMA) { i++; continue; }
          if (c === LF) { i++; complete = true; break; }
          if (c === CR) {
            if (i + 1 >= n && !final) return rowStart;
            i += text.charCodeAt(i + 1) === LF ? 2 : 1;
            complete = true;
            break;
          }
          throw new InputError(
            `${this.file}: line ${rowLine + extraLines}: unexpected character after closing quote (column ${fields.length})`,
            { file: this.file, line: rowLine + extraLines, column: fields.length },
          );
        }
        let j = i;
        while (j < n) {
          c = text.charCodeAt(j);
          if (c === COMMA || c === LF || c === CR) break;
          j++;
        }
        if (j >= n) {
          if (!final) return rowStart;
          fields.push(text.slice(i, j));
          i = j;
          complete = true;
          break;
        }
        fields.push(text.slice(i, j));
        if (c === COMMA) { i = j + 1; continue; }
        if (c === LF) { i = j + 1; complete = true; break; }
        // CR: need the next char to tell CRLF from a bare CR.
        if (j + 1 >= n && !final) return rowStart;
        i = text.charCodeAt(j + 1) === LF ? j + 2 : j + 1;
        complete = true;
        break;
      }
      if (!complete) return rowStart;
      if (fields.length > MAX_COLUMNS) throw tooWide(this.file, rowLine);
      this.line += 1 + extraLines;
      // A blank line is one empty unquoted field.
      if (fields.length === 1 && fields[0] === '' && text.charCodeAt(rowStart) !== QUOTE) continue;
      if (this.sink(fields, rowLine) === false) {
        this.stopped = true;
        return n;
      }
    }
    return n;
  }
}

/**
 * Streams a CSV file row by row (header row included, as the first call).
 * Reads 1 MiB chunks: the default 64 KiB makes fs streams several times slower, and
 * 4 MiB chunks (kept alive by the strings sliced from them) raised the peak RSS of
 * reading a 40 MB CSV from 134 to 165 MiB at the same speed.
 */
export async function streamCsvRows(
  path: string,
  sink: RowSink,
  opts: { onProgress?: (p: ParseProgress) => void; total?: number; label?: string } = {},
): Promise<void> {
  const label = opts.label ?? path;
  const tok = new CsvTokenizer(label, sink);
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1024 * 1024 });
  let bytes = 0;
  try {
    for await (const chunk of stream) {
      tok.feed(chunk as string);
      if (opts.onProgress) {
        bytes += Buffer.byteLength(chunk as string);
        opts.onProgress({ bytes, total: opts.total });
      }
      if (tok.stopped) break;
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${label}: no such file`, { file: label }, 'ENOENT');
    if (code === 'EISDIR') throw new InputError(`${label}: is a directory, not a CSV file`, { file: label });
    throw e;
  } finally {
    stream.destroy();
  }
  tok.end();
}
