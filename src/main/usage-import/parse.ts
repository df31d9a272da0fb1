import { CHANNELS, type Channel } from '../../shared/domain';
import {
  CsvRowReader,
  LineSplitter,
  parseCsvHeader,
  parseCsvRow,
  parseJsonRow,
  type CsvHeader,
  type RowContext,
  type RowResult,
  type UsageRow,
} from './rows';

/**
 * Usage rows in columns: what the parser hands to the writer. Columns of numbers travel between
 * threads as typed arrays (moved, not copied), and the writer reads them without building an
 * object per row — at hundreds of thousands of rows a second, the objects were a good part of
 * the import's cost.
 */
export interface UsageColumns {
  count: number;
  id: string[];
  /** Index into `spaceIds`. */
  space: Uint32Array;
  /** The ledger's spaces at the start of the import, in the order `space` refers to them. */
  spaceIds: readonly string[];
  /** Index into CHANNELS. */
  channel: Uint8Array;
  /** 1: MO (free), 0: MT. */
  mo: Uint8Array;
  credits: Float64Array;
  t: Float64Array;
  /** null when no row of the batch has one. */
  identity: (string | null)[] | null;
  campaign: (string | null)[] | null;
}

export interface BadRow {
  line: number;
  reason: string;
}

/** One parsed piece of a file: its good rows, and what was wrong with the others. */
export interface ParsedBatch {
  rows: UsageColumns;
  /** Rows read in this piece (good and bad; a CSV header is not a row). */
  rowsRead: number;
  badCount: number;
  /** The first bad rows of the piece, as many as the import still lists. */
  badRows: BadRow[];
  /** Bytes of the file read so far. */
  bytesRead: number;
  /** The file's format, once its first non-blank text was seen. */
  format: UsageFormat | null;
}

export type UsageFormat = 'csv' | 'jsonl';

export class ImportFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportFormatError';
  }
}

const CHANNEL_NUMBER = new Map<Channel, number>(CHANNELS.map((c, i) => [c, i]));

/** Collects checked rows into columns; `take` hands over what was collected and starts anew. */
export class ColumnsBuilder {
  private readonly spaceIds: readonly string[];
  private readonly spaceNumber: ReadonlyMap<string, number>;
  private capacity: number;
  private cols: UsageColumns;

  constructor(spaceIds: readonly string[], capacity = 1024) {
    this.spaceIds = spaceIds;
    this.spaceNumber = new Map(spaceIds.map((id, i) => [id, i]));
    this.capacity = capacity;
    this.cols = this.empty(capacity);
  }

  get count(): number {
    return this.cols.count;
  }

  add(row: UsageRow): void {
    const space = this.spaceNumber.get(row.spaceId);
    // The parser checked the space against the same list; a miss is a bug, not bad input.
    if (space === undefined) throw new Error(`space ${row.spaceId} is not in the import's space list`);
    let c = this.cols;
    if (c.count === this.capacity) c = this.grow();
    const i = c.count;
    c.id.push(row.id);
    c.space[i] = space;
    c.channel[i] = CHANNEL_NUMBER.get(row.channel)!;
    c.mo[i] = row.direction === 'MO' ? 1 : 0;
    c.credits[i] = row.credits;
    c.t[i] = row.t;
    if (row.identity !== null) (c.identity ??= new Array<string | null>(i).fill(null))[i] = row.identity;
    else if (c.identity !== null) c.identity[i] = null;
    if (row.campaign !== null) (c.campaign ??= new Array<string | null>(i).fill(null))[i] = row.campaign;
    else if (c.campaign !== null) c.campaign[i] = null;
    c.count = i + 1;
  }

  /** The rows so far, trimmed to their count; the builder starts empty again. */
  take(): UsageColumns {
    const c = this.cols;
    const n = c.count;
    const taken: UsageColumns = {
      count: n,
      id: c.id,
      space: c.space.slice(0, n),
      spaceIds: this.spaceIds,
      channel: c.channel.slice(0, n),
      mo: c.mo.slice(0, n),
      credits: c.credits.slice(0, n),
      t: c.t.slice(0, n),
      identity: c.identity,
      campaign: c.campaign,
    };
    this.cols = this.empty(this.capacity);
    return taken;
  }

  private empty(capacity: number): UsageColumns {
    return {
      count: 0,
      id: [],
      space: new Uint32Array(capacity),
      spaceIds: this.spaceIds,
      channel: new Uint8Array(capacity),
      mo: new Uint8Array(capacity),
      credits: new Float64Array(capacity),
      t: new Float64Array(capacity),
      identity: null,
      campaign: null,
    };
  }

  private grow(): UsageColumns {
    const c = this.cols;
    this.capacity *= 2;
    const next = this.empty(this.capacity);
    next.space.set(c.space);
    next.channel.set(c.channel);
    next.mo.set(c.mo);
    next.credits.set(c.credits);
    next.t.set(c.t);
    next.id = c.id;
    next.identity = c.identity;
    next.campaign = c.campaign;
    next.count = c.count;
    this.cols = next;
    return next;
  }
}

/** Rows given as objects (the API, tests) in columns. */
export function toColumns(rows: readonly UsageRow[], spaceIds: readonly string[]): UsageColumns {
  const builder = new ColumnsBuilder(spaceIds, Math.max(1, rows.length));
  for (const row of rows) builder.add(row);
  return builder.take();
}

/** The format from the file name, or from the first character when the name does not say. */
export function detectFormat(fileName: string, firstText: string): UsageFormat {
  const dot = fileName.lastIndexOf('.');
  const ext = dot === -1 ? '' : fileName.slice(dot).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return 'jsonl';
  return firstText.trimStart().startsWith('{') ? 'jsonl' : 'csv';
}

/** What a parser needs to know of the ledger: its spaces with their channels, and now. */
export interface ParseContext {
  sourceName: string;
  spaces: readonly { id: string; channels: readonly Channel[] }[];
  nowMs: number;
  /** How many bad rows the import lists in all (all are counted). */
  maxBadRows: number;
}

/** Where a parser takes over a file whose beginning another parser read (up to a line's end). */
export interface ParseResume {
  format: UsageFormat;
  /** The file's CSV header line (null for JSON Lines). */
  header: string | null;
  /** Lines before the first one this parser reads. */
  linesBefore: number;
  /** Bytes before the first one this parser reads. */
  bytesBefore: number;
}

/**
 * A usage file's text, piece by piece, into checked rows in columns. The same parser runs in
 * the import's worker thread and, where no worker can start, on the caller's thread.
 * Throws ImportFormatError when the file cannot be a usage file (an empty file, a bad header).
 */
export class UsageParser {
  private format: UsageFormat | null = null;
  private splitter: LineSplitter | null = null;
  private header: CsvHeader | null = null;
  /** The header's record as the file has it (for a parser that takes over). */
  private headerLine: string | null = null;
  private csvReader: CsvRowReader | null = null;
  private headerError: string | null = null;
  private readonly ctx: RowContext;
  private readonly builder: ColumnsBuilder;
  private readonly sourceName: string;
  private readonly maxBadRows: number;
  private listed = 0;
  private rowsRead = 0;
  private badCount = 0;
  private badRows: BadRow[] = [];
  private bytesRead = 0;
  private readonly onRecord = (text: string, start: number, end: number, line: number): void => this.record(text, start, end, line);

  constructor(context: ParseContext, resume?: ParseResume) {
    this.sourceName = context.sourceName;
    this.maxBadRows = context.maxBadRows;
    this.ctx = { spaces: new Map(context.spaces.map((s) => [s.id, new Set(s.channels)])), nowMs: context.nowMs };
    this.builder = new ColumnsBuilder(context.spaces.map((s) => s.id), 4096);
    if (resume !== undefined) {
      this.format = resume.format;
      this.splitter = new LineSplitter(resume.format === 'csv', resume.linesBefore);
      this.bytesRead = resume.bytesBefore;
      if (resume.header !== null) {
        const header = parseCsvHeader(resume.header);
        if ('error' in header) throw new ImportFormatError(`line 1: ${header.error}`);
        this.setHeader(header, resume.header);
      }
    }
  }

  /** Parse a piece of text (`bytes` long in the file); the rows are kept until `take`. */
  push(text: string, bytes: number): void {
    this.bytesRead += bytes;
    if (this.format === null) {
      if (text.trim().length === 0) return;
      this.format = detectFormat(this.sourceName, text);
      this.splitter = new LineSplitter(this.format === 'csv');
    }
    this.splitter!.push(text, this.onRecord);
    this.checkHeader();
  }

  /** The end of the file: the last line, and the checks only the end can make. */
  end(): void {
    if (this.format === null) throw new ImportFormatError(`${this.sourceName} is empty: there is no usage to import`);
    this.splitter!.end(this.onRecord);
    this.checkHeader();
    if (this.format === 'csv' && this.header === null) throw new ImportFormatError(`${this.sourceName} has no CSV header line`);
  }

  /** Everything parsed since the last take. */
  take(): ParsedBatch {
    const batch: ParsedBatch = {
      rows: this.builder.take(),
      rowsRead: this.rowsRead,
      badCount: this.badCount,
      badRows: this.badRows,
      bytesRead: this.bytesRead,
      format: this.format,
    };
    this.rowsRead = 0;
    this.badCount = 0;
    this.badRows = [];
    return batch;
  }

  /**
   * Where another parser can take over, given the file's bytes up to and including the last
   * line break pushed: null while no line is complete, the format or the CSV header is not
   * known yet, or a record spans that line break.
   */
  resumeAt(bytesBefore: number): ParseResume | null {
    const { format, splitter } = this;
    if (format === null || splitter === null || splitter.linesRead === 0 || splitter.inRecord) return null;
    if (format === 'csv' && this.headerLine === null) return null;
    return { format, header: format === 'csv' ? this.headerLine : null, linesBefore: splitter.linesRead, bytesBefore };
  }

  /** A bad header refuses the whole file. */
  private checkHeader(): void {
    if (this.headerError !== null) throw new ImportFormatError(this.headerError);
  }

  private setHeader(header: CsvHeader, line: string): void {
    this.header = header;
    this.headerLine = line;
    this.csvReader = new CsvRowReader(header, this.ctx);
  }

  /** One record, the characters [start, end) of `text`. */
  private record(text: string, start: number, end: number, line: number): void {
    if (this.headerError !== null) return;
    if (isBlank(text, start, end)) return;
    if (this.format === 'csv' && this.header === null) {
      const headerLine = text.slice(start, end);
      const parsed = parseCsvHeader(headerLine);
      if ('error' in parsed) this.headerError = `line ${line}: ${parsed.error}`;
      else this.setHeader(parsed, headerLine);
      return;
    }
    this.rowsRead += 1;
    if (this.csvReader !== null) {
      const row = this.csvReader.read(text, start, end, line);
      if (row !== null) {
        this.builder.add(row);
        return;
      }
    }
    const record = text.slice(start, end);
    const result: RowResult = this.format === 'csv' ? parseCsvRow(record, line, this.header!, this.ctx) : parseJsonRow(record, line, this.ctx);
    if ('reason' in result) {
      this.badCount += 1;
      if (this.listed < this.maxBadRows) {
        this.listed += 1;
        this.badRows.push({ line: result.line, reason: result.reason });
      }
      return;
    }
    this.builder.add(result);
  }
}

/** Whether [start, end) of `text` is empty or only white space (most records start with a visible character: no trim needed to tell). */
function isBlank(text: string, start: number, end: number): boolean {
  if (start === end) return true;
  const first = text.charCodeAt(start);
  if (first > 32 && first < 127) return false;
  return text.slice(start, end).trim().length === 0;
}
