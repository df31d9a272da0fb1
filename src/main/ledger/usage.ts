import { createReadStream, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { AccountSession, settleAll, type NewEvent } from './accounts';
import { AggregateDelta } from './aggregates';
import { newId } from './ids';
import type { Ledger } from './ledger';
import { spaceChannelIndex } from './org';
import { currentAttribution, type Attribution } from './timeline';
import {
  LineSplitter,
  checkEvent,
  parseCsvHeader,
  parseCsvRow,
  parseJsonRow,
  type CsvHeader,
  type RowContext,
  type RowResult,
  type UsageRow,
} from './usage-rows';

/**
 * Usage import: rows are read from a stream, checked, and written in batches, one transaction
 * each: the raw events (INSERT OR IGNORE on the event id: the same id twice has one effect),
 * their aggregates, and the engine's decisions for the plans they count against. Plans that
 * received events older than their clock are settled once, at the end.
 */

export interface ImportProgress {
  importId: string;
  rowsRead: number;
  bytesRead: number;
  bytesTotal: number | null;
  done: boolean;
}

export interface ImportReport {
  importId: string;
  rowsRead: number;
  inserted: number;
  duplicates: number;
  rejectedByPlan: number;
  badRows: { line: number; reason: string }[];
  badRowsTruncated: boolean;
}

export interface ImportOptions {
  actor: string;
  clock: () => number;
  importId?: string;
  /** Called after each batch and once at the end (done: true). */
  onProgress?: (progress: ImportProgress) => void;
  /** How many bad rows the report lists (all are counted). */
  maxBadRows?: number;
}

export class ImportFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportFormatError';
  }
}

type Format = 'csv' | 'jsonl';

/** The format from the file name, or from the first character when the name does not say. */
function detectFormat(fileName: string, firstText: string): Format {
  const ext = extname(fileName).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return 'jsonl';
  return firstText.trimStart().startsWith('{') ? 'jsonl' : 'csv';
}

const COLUMNS = '(id, space_id, channel, direction, credits, occurred_at, plan_ref, identity, campaign, import_ref)';
/** Rows per INSERT statement: one statement per 50 rows costs far less than 50 statements. */
const CHUNK = 50;
const INSERT_ONE = `INSERT OR IGNORE INTO usage_events ${COLUMNS} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const INSERT_MANY = `INSERT OR IGNORE INTO usage_events ${COLUMNS} VALUES ${Array(CHUNK).fill('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`;

/**
 * Writes checked rows; shared by file imports and the direct API. Rows are added inside one
 * transaction (`batch`) and written 50 at a time as they come — raw rows, aggregates in memory,
 * engine decisions — so a row lives only until its group of 50 is written.
 */
export class UsageWriter {
  inserted = 0;
  duplicates = 0;
  /** The range of seqs this writer's new rows took (empty while firstSeq > lastSeq). */
  firstSeq = Infinity;
  lastSeq = 0;
  private ref = 0;
  private readonly ledger: Ledger;
  private readonly decidedAt: number;
  private readonly start: () => number;

  /** `start` records the import; it runs with the first row written, so an import that writes nothing leaves no trace. */
  constructor(ledger: Ledger, start: () => number, decidedAt: number) {
    this.ledger = ledger;
    this.start = start;
    this.decidedAt = decidedAt;
  }

  /** The import's row (0 until a row was written). */
  get importRef(): number {
    return this.ref;
  }

  /** Record the import now if no row did (a file with no good rows). */
  ensureStarted(): number {
    if (this.ref === 0) this.ledger.transaction(() => (this.ref = this.start()));
    return this.ref;
  }

  /** One transaction: `fill` adds rows; they and everything they imply are written when it returns. */
  batch<T>(fill: (add: (row: UsageRow) => void) => T, progress?: () => { rowsRead: number; badRows: number }): T {
    const { ledger } = this;
    return ledger.transaction(() => {
      const open = new OpenBatch(ledger, this.decidedAt, () => {
        if (this.ref === 0) this.ref = this.start();
        return this.ref;
      });
      const result = fill((row) => open.add(row));
      open.finish();
      this.inserted += open.inserted;
      if (open.inserted > 0) {
        this.firstSeq = Math.min(this.firstSeq, open.firstSeq);
        this.lastSeq = Math.max(this.lastSeq, open.lastNewSeq);
      }
      this.duplicates += open.duplicates;
      if (this.ref !== 0) {
        const p = progress?.();
        ledger
          .stmt('UPDATE imports SET rows_read = ?, inserted = ?, duplicates = ?, bad_rows = ? WHERE ref = ?')
          .run(p?.rowsRead ?? this.inserted + this.duplicates, this.inserted, this.duplicates, p?.badRows ?? 0, this.ref);
      }
      return result;
    });
  }

  write(rows: readonly UsageRow[]): void {
    this.batch((add) => {
      for (const row of rows) add(row);
    });
  }
}

/** The rows of one transaction in flight. */
class OpenBatch {
  inserted = 0;
  firstSeq = Infinity;
  lastNewSeq = 0;
  duplicates = 0;
  private readonly ledger: Ledger;
  private readonly importRef: () => number;
  private readonly attribution: Attribution;
  private readonly delta = new AggregateDelta();
  private readonly accounts: AccountSession;
  private readonly pending: UsageRow[] = [];
  private readonly refs: (number | null)[] = new Array<number | null>(CHUNK);
  private readonly params: unknown[] = new Array<unknown>(CHUNK * 10);
  private lastSeq: number;

  constructor(ledger: Ledger, decidedAt: number, importRef: () => number) {
    this.ledger = ledger;
    this.importRef = importRef;
    this.attribution = currentAttribution(ledger);
    this.accounts = new AccountSession(ledger, this.delta, decidedAt);
    this.lastSeq = (ledger.stmt('SELECT max(seq) AS m FROM usage_events').get() as { m: number | null }).m ?? 0;
  }

  add(row: UsageRow): void {
    this.pending.push(row);
    if (this.pending.length === CHUNK) this.flushChunk();
  }

  finish(): void {
    if (this.pending.length > 0) this.flushChunk();
    this.accounts.save();
    this.delta.flush(this.ledger);
  }

  private flushChunk(): void {
    const rows = this.pending;
    const n = rows.length;
    const importRef = this.importRef();
    const { refs, params } = this;
    for (let j = 0; j < n; j += 1) {
      const row = rows[j]!;
      const timeline = this.attribution.planFor(row.spaceId, row.channel, row.t);
      refs[j] = timeline === null ? null : timeline.ref;
    }
    // The seqs of the new rows: consecutive after lastSeq when every row was new (the common
    // case); otherwise read back which ids the statement inserted.
    const seqs: (number | null)[] = new Array<number | null>(n);
    if (n === CHUNK) {
      for (let j = 0; j < n; j += 1) {
        const row = rows[j]!;
        const o = j * 10;
        params[o] = row.id;
        params[o + 1] = row.spaceId;
        params[o + 2] = row.channel;
        params[o + 3] = row.direction;
        params[o + 4] = row.credits;
        params[o + 5] = row.t;
        params[o + 6] = refs[j];
        params[o + 7] = row.identity;
        params[o + 8] = row.campaign;
        params[o + 9] = importRef;
      }
      const changes = this.ledger.stmt(INSERT_MANY).run(params).changes;
      if (changes === n) for (let j = 0; j < n; j += 1) seqs[j] = this.lastSeq + 1 + j;
      else {
        const byId = new Map<string, number>();
        for (const r of this.ledger.stmt('SELECT seq, id FROM usage_events WHERE seq > ?').all(this.lastSeq) as { seq: number; id: string }[]) {
          byId.set(r.id, r.seq);
        }
        for (let j = 0; j < n; j += 1) {
          const seq = byId.get(rows[j]!.id);
          seqs[j] = seq ?? null;
          if (seq !== undefined) byId.delete(rows[j]!.id); // the same id twice: only the first is new
        }
      }
      this.lastSeq += changes;
    } else {
      const one = this.ledger.stmt(INSERT_ONE);
      for (let j = 0; j < n; j += 1) {
        const row = rows[j]!;
        const info = one.run(row.id, row.spaceId, row.channel, row.direction, row.credits, row.t, refs[j], row.identity, row.campaign, importRef);
        seqs[j] = info.changes === 1 ? Number(info.lastInsertRowid) : null;
        if (info.changes === 1) this.lastSeq = Number(info.lastInsertRowid);
      }
    }
    let perPlan: Map<number, NewEvent[]> | null = null;
    for (let j = 0; j < n; j += 1) {
      const seq = seqs[j]!;
      if (seq === null) {
        this.duplicates += 1;
        continue;
      }
      this.inserted += 1;
      if (seq < this.firstSeq) this.firstSeq = seq;
      if (seq > this.lastNewSeq) this.lastNewSeq = seq;
      const row = rows[j]!;
      const mt = row.direction === 'MT' ? row.credits : 0;
      const mo = row.direction === 'MO' ? 1 : 0;
      this.delta.addSpace(row.spaceId, row.channel, row.t, mt, mo);
      const ref = refs[j]!;
      if (ref !== null) {
        this.delta.add(ref, row.channel, row.t, mt, mo, 0);
        row.seq = seq;
        perPlan ??= new Map();
        let list = perPlan.get(ref);
        if (list === undefined) perPlan.set(ref, (list = []));
        list.push(row as NewEvent);
      }
    }
    if (perPlan !== null) {
      for (const [ref, events] of perPlan) {
        if (events.length > 1) events.sort((a, b) => a.t - b.t || a.seq - b.seq);
        this.accounts.apply(this.attribution.timeline(ref)!, events);
      }
    }
    rows.length = 0;
  }
}

function startImport(ledger: Ledger, importId: string, source: string, format: 'csv' | 'jsonl' | 'api', actor: string, at: number): number {
  const info = ledger
    .stmt('INSERT INTO imports (id, source, format, actor, started_at) VALUES (?, ?, ?, ?, ?)')
    .run(importId, source, format, actor, at);
  return Number(info.lastInsertRowid);
}

function finishImport(
  ledger: Ledger,
  ref: number,
  status: 'done' | 'failed',
  at: number,
  badRows: { line: number; reason: string }[],
  error: string | null,
): void {
  ledger
    .stmt('UPDATE imports SET status = ?, finished_at = ?, bad_row_sample = ?, error = ? WHERE ref = ?')
    .run(status, at, JSON.stringify(badRows.slice(0, 100)), error, ref);
}

/** Rejections among the import's own events (a seek on the seq range its rows took). */
function rejectedInImport(ledger: Ledger, writer: UsageWriter): number {
  if (writer.inserted === 0) return 0;
  return (
    ledger
      .stmt(
        `SELECT count(*) AS n FROM usage_rejections r CROSS JOIN usage_events e ON e.seq = r.event_seq
         WHERE r.event_seq BETWEEN ? AND ? AND e.import_ref = ?`,
      )
      .get(writer.firstSeq, writer.lastSeq, writer.importRef) as { n: number }
  ).n;
}

/** Imports that were running when the process stopped are marked so (their batches are kept). */
export function markInterruptedImports(ledger: Ledger, at: number): number {
  return ledger.stmt("UPDATE imports SET status = 'interrupted', finished_at = ? WHERE status = 'running'").run(at).changes;
}

type ChunkSource = AsyncIterable<{ text: string; bytes: number }>;

async function runImport(
  ledger: Ledger,
  sourceName: string,
  chunks: ChunkSource,
  bytesTotal: number | null,
  options: ImportOptions,
): Promise<ImportReport> {
  const importId = options.importId ?? newId('IM');
  const maxBadRows = options.maxBadRows ?? 1000;
  const startedAt = options.clock();
  const ctx: RowContext = { spaces: spaceChannelIndex(ledger), nowMs: startedAt };

  let format: Format | null = null;
  let splitter: LineSplitter | null = null;
  let header: CsvHeader | null = null;
  let headerError: string | null = null;
  let writer: UsageWriter | null = null;
  let rowsRead = 0;
  let bytesRead = 0;
  let badCount = 0;
  const badRows: { line: number; reason: string }[] = [];
  let add: ((row: UsageRow) => void) | null = null;

  const progress = (done: boolean): void => options.onProgress?.({ importId, rowsRead, bytesRead, bytesTotal, done });
  const onRecord = (record: string, line: number): void => {
    if (headerError !== null) return;
    if (record.trim().length === 0) return;
    if (format === 'csv' && header === null) {
      const parsed = parseCsvHeader(record);
      if ('error' in parsed) headerError = `line ${line}: ${parsed.error}`;
      else header = parsed;
      return;
    }
    rowsRead += 1;
    const result: RowResult = format === 'csv' ? parseCsvRow(record, line, header!, ctx) : parseJsonRow(record, line, ctx);
    if ('reason' in result) {
      badCount += 1;
      if (badRows.length < maxBadRows) badRows.push(result);
      return;
    }
    add!(result);
  };
  const counts = (): { rowsRead: number; badRows: number } => ({ rowsRead, badRows: badCount });
  /** One text chunk (~1 MiB, some 20,000 rows) is one transaction. */
  const processChunk = (text: string, last: boolean): void => {
    writer!.batch((adder) => {
      add = adder;
      if (text.length > 0) splitter!.push(text, onRecord);
      if (last) splitter!.end(onRecord);
      // A bad header refuses the whole file: roll back (nothing was written anyway).
      if (headerError !== null) throw new ImportFormatError(headerError);
    }, counts);
    add = null;
  };

  try {
    for await (const chunk of chunks) {
      if (format === null) {
        if (chunk.text.trim().length === 0) {
          bytesRead += chunk.bytes;
          continue;
        }
        format = detectFormat(sourceName, chunk.text);
        splitter = new LineSplitter(format === 'csv');
        const kind = format;
        writer = new UsageWriter(ledger, () => startImport(ledger, importId, sourceName, kind, options.actor, startedAt), startedAt);
      }
      bytesRead += chunk.bytes;
      const before = rowsRead;
      processChunk(chunk.text, false);
      if (rowsRead !== before) progress(false);
    }
    if (format === null || writer === null) throw new ImportFormatError(`${sourceName} is empty: there is no usage to import`);
    processChunk('', true);
    if (format === 'csv' && header === null) throw new ImportFormatError(`${sourceName} has no CSV header line`);
    settleAll(ledger, startedAt);
    const ref = writer.ensureStarted();
    ledger.transaction(() => {
      ledger.stmt('UPDATE imports SET rows_read = ?, bad_rows = ? WHERE ref = ?').run(rowsRead, badCount, ref);
      finishImport(ledger, ref, 'done', options.clock(), badRows, null);
    });
  } catch (error) {
    const ref = writer?.importRef ?? 0;
    if (ref !== 0 && !(error instanceof ImportFormatError)) {
      finishImport(ledger, ref, 'failed', options.clock(), badRows, error instanceof Error ? error.message : String(error));
    }
    throw error;
  }
  progress(true);
  return {
    importId,
    rowsRead,
    inserted: writer!.inserted,
    duplicates: writer!.duplicates,
    rejectedByPlan: rejectedInImport(ledger, writer!),
    badRows,
    badRowsTruncated: badCount > badRows.length,
  };
}

async function* fileChunks(path: string): ChunkSource {
  const decoder = new StringDecoder('utf8');
  for await (const buffer of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    yield { text: decoder.write(buffer), bytes: buffer.length };
  }
  const tail = decoder.end();
  if (tail.length > 0) yield { text: tail, bytes: 0 };
}

async function* textChunks(text: string): ChunkSource {
  const size = 1 << 20;
  for (let i = 0; i < text.length; i += size) {
    const piece = text.slice(i, i + size);
    yield { text: piece, bytes: Buffer.byteLength(piece, 'utf8') };
  }
}

/** Import a CSV or JSON Lines file, streamed. */
export async function importUsageFile(ledger: Ledger, path: string, options: ImportOptions): Promise<ImportReport> {
  let size: number;
  try {
    const stats = statSync(path);
    if (!stats.isFile()) throw new ImportFormatError(`${path} is not a file`);
    size = stats.size;
  } catch (error) {
    if (error instanceof ImportFormatError) throw error;
    throw new ImportFormatError(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return runImport(ledger, basename(path), fileChunks(path), size, options);
}

/** Import usage given as text (a file the screens read, or a test). */
export async function importUsageText(ledger: Ledger, fileName: string, text: string, options: ImportOptions): Promise<ImportReport> {
  return runImport(ledger, fileName, textChunks(text), Buffer.byteLength(text, 'utf8'), options);
}

export interface EventInput {
  id: string;
  spaceId: string;
  channel: string;
  direction?: string;
  credits?: number;
  occurredAt: string;
  identity?: string;
  campaign?: string;
}

export interface EventDecision {
  id: string;
  accepted: boolean;
  reason: string | null;
}

/** Record events given directly; each answer is the event's decision as the ledger now holds it. */
export function recordUsageEvents(ledger: Ledger, events: readonly EventInput[], options: Pick<ImportOptions, 'actor' | 'clock'>): EventDecision[] {
  const now = options.clock();
  const ctx: RowContext = { spaces: spaceChannelIndex(ledger), nowMs: now };
  const checked = events.map((event, i) => checkEvent(event, i + 1, ctx));
  const good = checked.filter((r): r is UsageRow => !('reason' in r));
  ledger.transaction(() => {
    const writer = new UsageWriter(ledger, () => startImport(ledger, newId('IM'), 'api', 'api', options.actor, now), now);
    if (good.length > 0) writer.write(good);
    finishImport(ledger, writer.ensureStarted(), 'done', now, [], null);
  });
  settleAll(ledger, now);
  const decisionOf = ledger.stmt(
    `SELECT r.reason AS reason FROM usage_events e LEFT JOIN usage_rejections r ON r.event_seq = e.seq WHERE e.id = ?`,
  );
  return checked.map((result, i) => {
    if ('reason' in result) return { id: events[i]!.id, accepted: false, reason: result.reason };
    const row = decisionOf.get(result.id) as { reason: string | null } | undefined;
    return { id: result.id, accepted: row !== undefined && row.reason === null, reason: row?.reason ?? null };
  });
}
