import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { CHANNELS, type Channel } from '../../shared/domain';
import { creditsPerMessage } from '../../shared/engine';
import { AccountSession, settleAll, type NewEvent, AggregateDelta, currentAttribution, type Attribution, type PlanTimeline } from '../accounts';
import { newId, type Ledger, spaceChannelIndex } from '../ledger';
import { ImportFormatError, toColumns, type ParseContext, type ParsedBatch, type UsageColumns } from './parse';
import { parseFile, parseText, type ParseIn } from './parse-host';
import { checkEvent, CREDITS_NOT_STATED, type RecordLimits, type RowContext, type UsageRow } from './rows';

export { ImportFormatError } from './parse';
export type { ParseIn } from './parse-host';

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
  /** Where a file is parsed: 'auto' (a worker thread for large files), 'worker' or 'here'. */
  parseIn?: ParseIn;
  /** How far one record may run (tests set them smaller than DEFAULT_RECORD_LIMITS). */
  limits?: RecordLimits;
}

/** What an import that stopped partway had saved: whole batches, each its own transaction. */
export interface ImportSaved {
  /** null: the import had not written its record yet (nothing of it is in the ledger). */
  importId: string | null;
  rowsRead: number;
  inserted: number;
  duplicates: number;
  badRows: number;
}

/**
 * The import stopped partway for a reason outside the file's rows: the disk is full, the
 * ledger or the file cannot be read or written. Whatever was saved before stays (and `saved`
 * says how much); the message says what happened and what to do, in the user's words.
 */
export class ImportStoppedError extends Error {
  readonly saved: ImportSaved;
  /** The SQLite or system error code, when there is one (SQLITE_FULL, EIO, …). */
  readonly code: string | null;
  constructor(message: string, saved: ImportSaved, code: string | null) {
    super(message);
    this.name = 'ImportStoppedError';
    this.saved = saved;
    this.code = code;
  }
}

function errorCode(error: unknown): string | null {
  const code = typeof error === 'object' && error !== null && 'code' in error ? (error as { code: unknown }).code : null;
  return typeof code === 'string' ? code : null;
}

/** Why the import stopped, in a person's words. */
function stoppedBecause(error: unknown, code: string | null): string {
  if (code === 'SQLITE_FULL') return 'the disk is full (the ledger could not grow)';
  if (code === 'ENOSPC') return 'the disk is full';
  if (code !== null && code.startsWith('SQLITE_READONLY')) return 'the ledger cannot be written (it is read-only)';
  if (code === 'SQLITE_BUSY') return 'another program holds the ledger\'s write lock';
  if (code !== null && code.startsWith('SQLITE_IOERR')) return `the ledger could not be written (${code})`;
  if (code !== null && /^E[A-Z]+$/.test(code)) return `the file could not be read to its end (${code})`;
  return error instanceof Error ? error.message : String(error);
}

function stoppedMessage(because: string, saved: ImportSaved): string {
  const n = (value: number): string => value.toLocaleString('en-US');
  if (saved.importId === null) return `Nothing was imported: ${because}.`;
  const kept =
    saved.inserted + saved.duplicates === 0
      ? `nothing of the file was saved (import ${saved.importId} is on record as failed)`
      : `the first ${n(saved.rowsRead)} rows were saved (${n(saved.inserted)} new events, ${n(saved.duplicates)} already there; import ${saved.importId})`;
  return `The import stopped: ${because}. ${kept[0]!.toUpperCase()}${kept.slice(1)}; nothing after them. Import the file again once this is fixed: rows already imported are recognised by their id and skipped.`;
}

const COLUMNS = '(id, space_ref, kind, credits, occurred_at, plan_ref, identity, campaign, import_ref)';
/** Rows per INSERT statement: one statement per 50 rows costs far less than 50 statements. */
const CHUNK = 50;
const INSERT_ONE = `INSERT OR IGNORE INTO usage_events ${COLUMNS} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const INSERT_MANY = `INSERT OR IGNORE INTO usage_events ${COLUMNS} VALUES ${Array(CHUNK).fill('(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`;
/** Most files carry no identity or campaign: leaving the two NULL columns out binds fewer values. */
const LEAN_COLUMNS = '(id, space_ref, kind, credits, occurred_at, plan_ref, import_ref)';
const INSERT_MANY_LEAN = `INSERT OR IGNORE INTO usage_events ${LEAN_COLUMNS} VALUES ${Array(CHUNK).fill('(?, ?, ?, ?, ?, ?, ?)').join(', ')}`;

/**
 * Writes checked rows; shared by file imports and the direct API. Each batch of rows (in
 * columns) is one transaction, written 50 rows per statement — raw rows, aggregates added up in
 * memory, engine decisions — so a crash keeps whole batches only.
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
    if (this.ref === 0) this.ref = this.ledger.transaction(() => this.start());
    return this.ref;
  }

  /**
   * One transaction: the rows and everything they imply (aggregates, engine decisions, the
   * import's counts). The writer's counts change only once the transaction committed, so after
   * a failure (a full disk) they say exactly what the ledger kept.
   */
  writeColumns(rows: UsageColumns, progress?: () => { rowsRead: number; badRows: number }): void {
    const { ledger } = this;
    let ref = this.ref;
    const open = ledger.transaction(() => {
      const batch = new OpenBatch(ledger, this.decidedAt, () => {
        if (ref === 0) ref = this.start();
        return ref;
      });
      batch.addColumns(rows);
      batch.finish();
      if (ref !== 0) {
        const p = progress?.();
        const inserted = this.inserted + batch.inserted;
        const duplicates = this.duplicates + batch.duplicates;
        ledger
          .stmt('UPDATE imports SET rows_read = ?, inserted = ?, duplicates = ?, bad_rows = ? WHERE ref = ?')
          .run(p?.rowsRead ?? inserted + duplicates, inserted, duplicates, p?.badRows ?? 0, ref);
      }
      return batch;
    });
    this.ref = ref;
    this.inserted += open.inserted;
    if (open.inserted > 0) {
      this.firstSeq = Math.min(this.firstSeq, open.firstSeq);
      this.lastSeq = Math.max(this.lastSeq, open.lastNewSeq);
    }
    this.duplicates += open.duplicates;
  }

  write(rows: readonly UsageRow[]): void {
    this.writeColumns(toColumns(rows, [...new Set(rows.map((r) => r.spaceId))]));
  }
}

/**
 * What an event that states no credits costs (SPEC §9.1): its channel's rate under the plan
 * version in force at its instant (the one the engine decides it with), 1 without a rate card.
 * It is stored with the event, so aggregates, exports and the central service see the credits.
 */
function rateAt(timeline: PlanTimeline, channel: Channel, ms: number): number {
  let config = timeline.versions[0]?.config;
  for (const version of timeline.versions) {
    if (version.effectiveAt > ms) break;
    if (version.action !== 'deleted') config = version.config;
  }
  return config === undefined ? 1 : creditsPerMessage(config, channel);
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
  private readonly refs: (number | null)[] = new Array<number | null>(CHUNK);
  private readonly seqs: (number | null)[] = new Array<number | null>(CHUNK);
  private readonly params: unknown[] = new Array<unknown>(CHUNK * 9);
  private readonly leanParams: unknown[] = new Array<unknown>(CHUNK * 7);
  /** space id → its number in usage_events (space_refs). */
  private readonly spaceRefs: Map<string, number>;
  private lastSeq: number;

  constructor(ledger: Ledger, decidedAt: number, importRef: () => number) {
    this.ledger = ledger;
    this.importRef = importRef;
    this.attribution = currentAttribution(ledger);
    this.accounts = new AccountSession(ledger, this.delta, decidedAt);
    this.lastSeq = (ledger.stmt('SELECT max(seq) AS m FROM usage_events').get() as { m: number | null }).m ?? 0;
    this.spaceRefs = new Map((ledger.stmt('SELECT space_id, ref FROM space_refs').raw(true).all() as [string, number][]).map(([id, ref]) => [id, ref]));
  }

  /** The space numbers of a batch's space list, in its order. */
  private refsOf(spaceIds: readonly string[]): number[] {
    return spaceIds.map((id) => {
      const ref = this.spaceRefs.get(id);
      if (ref === undefined) throw new Error(`space ${id} has no number in space_refs`);
      return ref;
    });
  }

  /** Write the rows, 50 per statement, and everything they imply. */
  addColumns(rows: UsageColumns): void {
    const spaceRefs = this.refsOf(rows.spaceIds);
    for (let from = 0; from < rows.count; from += CHUNK) this.writeChunk(rows, spaceRefs, from, Math.min(rows.count, from + CHUNK));
  }

  finish(): void {
    this.accounts.save();
    this.delta.flush(this.ledger);
  }

  private writeChunk(rows: UsageColumns, spaceRefs: readonly number[], from: number, to: number): void {
    const n = to - from;
    const importRef = this.importRef();
    const { refs, params, seqs } = this;
    const { id, space, spaceIds, channel, mo, credits, t } = rows;
    for (let j = 0; j < n; j += 1) {
      const i = from + j;
      const ch = CHANNELS[channel[i]!]!;
      const timeline = this.attribution.planFor(spaceIds[space[i]!]!, ch, t[i]!);
      refs[j] = timeline === null ? null : timeline.ref;
      if (credits[i] === CREDITS_NOT_STATED) credits[i] = timeline === null || mo[i] === 1 ? 1 : rateAt(timeline, ch, t[i]!);
    }
    // The seqs of the new rows: consecutive after lastSeq when every row was new (the common
    // case); otherwise read back which ids the statement inserted.
    if (n === CHUNK) {
      const lean = rows.identity === null && rows.campaign === null;
      const width = lean ? 7 : 9;
      const p = lean ? this.leanParams : params;
      for (let j = 0; j < n; j += 1) {
        const i = from + j;
        const o = j * width;
        p[o] = id[i];
        p[o + 1] = spaceRefs[space[i]!];
        p[o + 2] = channel[i]! * 2 + mo[i]!;
        p[o + 3] = credits[i];
        p[o + 4] = t[i];
        p[o + 5] = refs[j];
        if (lean) p[o + 6] = importRef;
        else {
          p[o + 6] = rows.identity?.[i] ?? null;
          p[o + 7] = rows.campaign?.[i] ?? null;
          p[o + 8] = importRef;
        }
      }
      const changes = this.ledger.stmt(lean ? INSERT_MANY_LEAN : INSERT_MANY).run(p).changes;
      if (changes === n) for (let j = 0; j < n; j += 1) seqs[j] = this.lastSeq + 1 + j;
      else {
        const byId = new Map<string, number>();
        for (const r of this.ledger.stmt('SELECT seq, id FROM usage_events WHERE seq > ?').all(this.lastSeq) as { seq: number; id: string }[]) {
          byId.set(r.id, r.seq);
        }
        for (let j = 0; j < n; j += 1) {
          const seq = byId.get(id[from + j]!);
          seqs[j] = seq ?? null;
          if (seq !== undefined) byId.delete(id[from + j]!); // the same id twice: only the first is new
        }
      }
      this.lastSeq += changes;
    } else {
      const one = this.ledger.stmt(INSERT_ONE);
      for (let j = 0; j < n; j += 1) {
        const i = from + j;
        const info = one.run(
          id[i],
          spaceRefs[space[i]!],
          channel[i]! * 2 + mo[i]!,
          credits[i],
          t[i],
          refs[j],
          rows.identity?.[i] ?? null,
          rows.campaign?.[i] ?? null,
          importRef,
        );
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
      const i = from + j;
      const ch = CHANNELS[channel[i]!]!;
      const isMo = mo[i] === 1;
      const mt = isMo ? 0 : credits[i]!;
      const at = t[i]!;
      this.delta.addSpace(spaceIds[space[i]!]!, ch, at, mt, isMo ? 1 : 0);
      this.delta.space.add(spaceRefs[space[i]!]!, channel[i]!, at, mt, isMo ? 1 : 0, rows.identity?.[i], rows.campaign?.[i]);
      const ref = refs[j]!;
      if (ref !== null) {
        this.delta.add(ref, ch, at, mt, isMo ? 1 : 0, 0);
        perPlan ??= new Map();
        let list = perPlan.get(ref);
        if (list === undefined) perPlan.set(ref, (list = []));
        list.push({ seq, id: id[i]!, channel: ch, direction: isMo ? 'MO' : 'MT', credits: credits[i]!, t: at });
      }
    }
    if (perPlan !== null) {
      for (const [ref, events] of perPlan) {
        if (events.length > 1) events.sort((a, b) => a.t - b.t || a.seq - b.seq);
        this.accounts.apply(this.attribution.timeline(ref)!, events);
      }
    }
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

/** The ledger as a parser needs to know it. */
function parseContext(ledger: Ledger, sourceName: string, nowMs: number, maxBadRows: number, limits: RecordLimits | undefined): ParseContext {
  const spaces = [...spaceChannelIndex(ledger)].map(([id, channels]) => ({ id, channels: [...channels] }));
  return { sourceName, spaces, nowMs, maxBadRows, ...(limits === undefined ? {} : { limits }) };
}

async function runImport(
  ledger: Ledger,
  sourceName: string,
  batches: (context: ParseContext) => AsyncIterable<ParsedBatch> | Iterable<ParsedBatch>,
  bytesTotal: number | null,
  options: ImportOptions,
): Promise<ImportReport> {
  const importId = options.importId ?? newId('IM');
  const maxBadRows = options.maxBadRows ?? 1000;
  const startedAt = options.clock();
  let writer: UsageWriter | null = null;
  let rowsRead = 0;
  let bytesRead = 0;
  let badCount = 0;
  /** Rows read and bad rows of the batches the ledger has committed. */
  let savedRowsRead = 0;
  let savedBadCount = 0;
  const badRows: { line: number; reason: string }[] = [];
  const counts = (): { rowsRead: number; badRows: number } => ({ rowsRead, badRows: badCount });

  try {
    for await (const batch of batches(parseContext(ledger, sourceName, startedAt, maxBadRows, options.limits))) {
      bytesRead = batch.bytesRead;
      if (batch.format === null) continue;
      const format = batch.format;
      writer ??= new UsageWriter(ledger, () => startImport(ledger, importId, sourceName, format, options.actor, startedAt), startedAt);
      const before = rowsRead;
      rowsRead += batch.rowsRead;
      badCount += batch.badCount;
      // A file parsed in two places lists bad rows from both: keep the first maxBadRows.
      for (const bad of batch.badRows) if (badRows.length < maxBadRows) badRows.push(bad);
      if (batch.rows.count > 0) writer.writeColumns(batch.rows, counts);
      // Bad rows alone are written with the next batch (or at the end): saved as far as the last write.
      if (batch.rows.count > 0 || writer.importRef === 0) {
        savedRowsRead = rowsRead;
        savedBadCount = badCount;
      }
      if (rowsRead !== before) options.onProgress?.({ importId, rowsRead, bytesRead, bytesTotal, done: false });
    }
    if (writer === null) throw new ImportFormatError(`${sourceName} is empty: there is no usage to import`);
    settleAll(ledger, startedAt);
    const ref = writer.ensureStarted();
    ledger.transaction(() => {
      ledger.stmt('UPDATE imports SET rows_read = ?, bad_rows = ? WHERE ref = ?').run(rowsRead, badCount, ref);
      finishImport(ledger, ref, 'done', options.clock(), badRows, null);
    });
  } catch (error) {
    if (error instanceof ImportFormatError) throw error;
    const ref = writer?.importRef ?? 0;
    const code = errorCode(error);
    const because = stoppedBecause(error, code);
    if (ref !== 0) {
      try {
        finishImport(ledger, ref, 'failed', options.clock(), badRows, because);
      } catch {
        // The ledger cannot take even this (a full disk): the import stays 'running', and the
        // next start marks it interrupted (markInterruptedImports). Its batches are kept either way.
      }
    }
    const saved: ImportSaved = {
      importId: ref === 0 ? null : importId,
      rowsRead: ref === 0 ? 0 : savedRowsRead,
      inserted: writer?.inserted ?? 0,
      duplicates: writer?.duplicates ?? 0,
      badRows: ref === 0 ? 0 : savedBadCount,
    };
    throw new ImportStoppedError(stoppedMessage(because, saved), saved, code);
  }
  options.onProgress?.({ importId, rowsRead, bytesRead, bytesTotal, done: true });
  return {
    importId,
    rowsRead,
    inserted: writer.inserted,
    duplicates: writer.duplicates,
    rejectedByPlan: rejectedInImport(ledger, writer),
    badRows,
    badRowsTruncated: badCount > badRows.length,
  };
}

/** Import a CSV or JSON Lines file, streamed (parsed in a worker thread when it is large). */
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
  return runImport(ledger, basename(path), (context) => parseFile(path, size, context, options.parseIn ?? 'auto'), size, options);
}

/** Import usage given as text (a file the screens read, or a test). */
export async function importUsageText(ledger: Ledger, fileName: string, text: string, options: ImportOptions): Promise<ImportReport> {
  return runImport(ledger, fileName, (context) => parseText(text, context), Buffer.byteLength(text, 'utf8'), options);
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
