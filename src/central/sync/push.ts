import { createHash } from 'node:crypto';
import type { Channel, PlanConfig } from '../../shared/domain';
import {
  applyDelete,
  applyEdit,
  checkCoexistence,
  createPlanState,
  isoSecond,
  localMidnightMs,
  parseInstant,
  type Issue,
} from '../../shared/engine';
import {
  canonicalJson,
  diffPlanConfigs,
  type Change,
  type ChangeResult,
  type PlanChange,
  type PlanCreditRecord,
  type PlanRecord,
} from '../../shared/sync';
import { maySee, type Principal } from '../auth';
import { enqueuePlanEmail } from '../mail';
import { PLAN_COLUMNS, planRecord, type PlanRow } from '../records';
import { foldCounters, seedCounters } from '../usage';
import { applyCreditChange } from './credits';
import { decodePlanState, encodePlanState, withRetries, type Database, type Queryable } from '../store';

/**
 * Applying a console's outbox. Each change runs in its own transaction, in the order sent, and
 * is recorded by id with a hash of its payload when it is applied, so a retry of the same
 * change is answered "already applied" and changes nothing, while the same id with another
 * payload is refused. Plan changes apply only onto the version they were based on.
 */
export type PushOutcome =
  | { kind: 'done'; results: ChangeResult[] }
  | { kind: 'forbidden'; message: string }
  | { kind: 'id_reused'; changeIds: string[] };

export interface PushContext {
  db: Database;
  principal: Principal;
  nowMs: number;
}

export function payloadHash(change: Change): string {
  return createHash('sha256').update(canonicalJson(change)).digest('hex');
}

export async function pushChanges(context: PushContext, changes: Change[]): Promise<PushOutcome> {
  const { db, principal } = context;
  const hashes = changes.map(payloadHash);

  // The same id with another payload, in this batch or before it: refuse the whole push.
  const reused = new Set<string>();
  const seen = new Map<string, string>();
  changes.forEach((change, i) => {
    const prior = seen.get(change.id);
    if (prior !== undefined && prior !== hashes[i]) reused.add(change.id);
    seen.set(change.id, hashes[i]!);
  });
  const stored = await db.query<{ id: string; payload_hash: string }>(
    'SELECT id, payload_hash FROM sync_changes WHERE id = ANY($1::text[])',
    [[...seen.keys()]],
  );
  for (const row of stored.rows) if (row.payload_hash !== seen.get(row.id)) reused.add(row.id);
  if (reused.size > 0) return { kind: 'id_reused', changeIds: [...reused] };

  const forbidden = await firstForbidden(db, principal, changes);
  if (forbidden) return { kind: 'forbidden', message: forbidden };

  const results: ChangeResult[] = [];
  for (const [i, change] of changes.entries()) {
    const result = await withRetries(() => db.transaction((tx) => applyChange(tx, context, change, hashes[i]!)));
    results.push(result);
  }
  return { kind: 'done', results };
}

/**
 * The environments a change names itself (environment.upsert, space.upsert) must be ones the token
 * may see. Spaces and plans of environments it may not see are answered as unknown ones where
 * they are used (applyKind), so a push never learns what another environment holds.
 */
async function firstForbidden(_db: Queryable, principal: Principal, changes: Change[]): Promise<string | null> {
  if (principal.environments === null) return null;
  for (const change of changes) {
    const environmentId =
      change.kind === 'environment.upsert' ? change.environment.id : change.kind === 'space.upsert' ? change.space.environmentId : undefined;
    if (environmentId !== undefined && !maySee(principal, environmentId)) {
      return `this token may not change environment ${environmentId} (change ${change.id})`;
    }
  }
  return null;
}

const rejected = (id: string, message: string, issues: Issue[] = []): ChangeResult => ({ id, status: 'rejected', message, issues });

/**
 * What sync_changes keeps as a change's answer: the plan after it (and the credits it added), or,
 * for credits the engine refused, the refusal (SPEC §9.8).
 */
interface RecordedAnswer {
  plan: PlanRecord | null;
  credit?: PlanCreditRecord;
  refusal?: { message: string; issues: Issue[] };
}

/** The answer to a change applied before (by id), or null when it has not been. */
async function repeated(tx: Queryable, change: Change, hash: string): Promise<ChangeResult | null> {
  const prior = await tx.query<{ payload_hash: string; result: RecordedAnswer; applied_ms: unknown }>(
    'SELECT payload_hash, result, applied_ms FROM sync_changes WHERE id = $1',
    [change.id],
  );
  const before = prior.rows[0];
  if (!before) return null;
  if (before.payload_hash !== hash) return rejected(change.id, `change id ${change.id} was used before for another change`);
  const { refusal, credit } = before.result;
  if (refusal !== undefined) return rejected(change.id, refusal.message, refusal.issues);
  return {
    id: change.id,
    status: 'already_applied',
    plan: before.result.plan,
    appliedAt: isoSecond(Number(before.applied_ms)),
    ...(credit !== undefined ? { credit } : {}),
  };
}

async function recordAnswer(tx: Queryable, context: PushContext, change: Change, hash: string, answer: RecordedAnswer): Promise<void> {
  await tx.query(
    'INSERT INTO sync_changes (id, payload_hash, kind, result, token_id, applied_ms) VALUES ($1, $2, $3, $4::json, $5, $6)',
    [change.id, hash, change.kind, JSON.stringify(answer), context.principal.tokenId, context.nowMs],
  );
}

async function applyChange(tx: Queryable, context: PushContext, change: Change, hash: string): Promise<ChangeResult> {
  const before = await repeated(tx, change, hash);
  if (before) return before;
  const atMs = parseInstant(change.at);
  if (atMs === null) return rejected(change.id, 'at: is not a valid instant', [{ path: 'at', message: 'is not a valid instant' }]);

  if (change.kind === 'plan.top_up' || change.kind === 'plan.charge_now') {
    const outcome = await applyCreditChange(tx, change, { atMs, nowMs: context.nowMs, principal: context.principal, answered: () => repeated(tx, change, hash) });
    const { result } = outcome;
    if (outcome.record === 'applied' && result.status === 'applied') await recordAnswer(tx, context, change, hash, { plan: result.plan, ...(result.credit ? { credit: result.credit } : {}) });
    if (outcome.record === 'refused' && result.status === 'rejected') {
      await recordAnswer(tx, context, change, hash, { plan: null, refusal: { message: result.message, issues: result.issues } });
    }
    return result;
  }
  const result = await applyKind(tx, context, change, atMs);
  if (result.status === 'applied') {
    await recordAnswer(tx, context, change, hash, { plan: result.plan });
    return result;
  }
  // Another copy of this change (a console's retry while its first send was still applying) may
  // have applied it while this transaction waited for the plan's lock, and this one then found
  // the plan moved on: a conflict with itself. That copy has committed by now (this statement,
  // READ COMMITTED, sees it), so answer as a repeat.
  return (await repeated(tx, change, hash)) ?? result;
}

async function applyKind(tx: Queryable, context: PushContext, change: Change, atMs: number): Promise<ChangeResult> {
  const { nowMs } = context;
  switch (change.kind) {
    case 'environment.upsert':
      await tx.query(
        `INSERT INTO environments (id, environment_id, name, updated_ms) VALUES ($1, $1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, updated_ms = excluded.updated_ms`,
        [change.environment.id, change.environment.name, atMs],
      );
      return { id: change.id, status: 'applied', plan: null };

    case 'space.upsert': {
      const { space } = change;
      const environment = await tx.query('SELECT 1 FROM environments WHERE id = $1', [space.environmentId]);
      if (environment.rowCount === 0) {
        return rejected(change.id, `unknown environment ${space.environmentId}: push its environment.upsert first`, [
          { path: 'space.environmentId', message: 'is not a known environment' },
        ]);
      }
      const existing = await tx.query<{ environment_id: string }>('SELECT environment_id FROM spaces WHERE id = $1 FOR UPDATE', [space.id]);
      const current = existing.rows[0];
      if (current && !maySee(context.principal, current.environment_id)) {
        return rejected(change.id, `space id ${space.id} cannot be used; choose another id`, [{ path: 'space.id', message: 'cannot be used' }]);
      }
      if (current && current.environment_id !== space.environmentId) {
        return rejected(change.id, `space ${space.id} belongs to environment ${current.environment_id}; a space cannot move`, [
          { path: 'space.environmentId', message: `must stay ${current.environment_id}` },
        ]);
      }
      await tx.query(
        `INSERT INTO spaces (id, environment_id, name, am_name, am_email, updated_ms) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, am_name = excluded.am_name, am_email = excluded.am_email,
           updated_ms = excluded.updated_ms`,
        [space.id, space.environmentId, space.name, space.accountManager.name, space.accountManager.email, atMs],
      );
      return { id: change.id, status: 'applied', plan: null };
    }

    case 'channel.upsert': {
      const space = await tx.query<{ environment_id: string }>('SELECT environment_id FROM spaces WHERE id = $1', [change.spaceId]);
      const found = space.rows[0];
      const row = found && maySee(context.principal, found.environment_id) ? found : undefined;
      if (!row) return rejected(change.id, `unknown space ${change.spaceId}: push its space.upsert first`, [{ path: 'spaceId', message: 'is not a known space' }]);
      await tx.query(
        `INSERT INTO space_channels (space_id, channel, environment_id, bidirectional, added_ms) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (space_id, channel) DO UPDATE SET bidirectional = excluded.bidirectional`,
        [change.spaceId, change.channel, row.environment_id, change.bidirectional, atMs],
      );
      return { id: change.id, status: 'applied', plan: null };
    }

    case 'plan.top_up':
    case 'plan.charge_now':
      throw new Error('credit changes are applied by applyCreditChange');

    default:
      return applyPlanChange(tx, change, atMs, nowMs, context.principal);
  }
}

async function lockPlan(tx: Queryable, planId: string): Promise<PlanRow | undefined> {
  const result = await tx.query<PlanRow>(`SELECT ${PLAN_COLUMNS} FROM plans WHERE id = $1 FOR UPDATE`, [planId]);
  return result.rows[0];
}

/**
 * The space row is locked before any plan of it changes, so two consoles creating plans in one
 * space at once are checked against each other's result (SPEC §2), one after the other.
 */
async function lockSpace(tx: Queryable, spaceId: string): Promise<{ environment_id: string } | undefined> {
  const result = await tx.query<{ environment_id: string }>('SELECT environment_id FROM spaces WHERE id = $1 FOR UPDATE', [spaceId]);
  return result.rows[0];
}

async function coexistenceIssues(tx: Queryable, planId: string, spaceId: string, config: PlanConfig): Promise<Issue[]> {
  const others = await tx.query<{ id: string; config: PlanConfig }>(
    'SELECT id, config FROM plans WHERE space_id = $1 AND deleted_ms IS NULL AND id <> $2',
    [spaceId, planId],
  );
  const channels = await tx.query<{ channel: Channel }>('SELECT channel FROM space_channels WHERE space_id = $1', [spaceId]);
  // A space whose channels were never pushed is not checked for membership, only for overlap.
  const spaceChannels = channels.rows.length > 0 ? channels.rows.map((r) => r.channel) : undefined;
  return checkCoexistence({ id: planId, config }, others.rows, spaceChannels, 'config');
}

async function applyPlanChange(tx: Queryable, change: PlanChange, atMs: number, nowMs: number, principal: Principal): Promise<ChangeResult> {
  const conflict = (message: string, row: PlanRow | undefined): ChangeResult => ({
    id: change.id,
    status: 'conflict',
    message,
    current: row ? planRecord(row, nowMs) : null,
  });

  if (change.kind === 'plan.create') {
    const found = await lockSpace(tx, change.spaceId);
    const space = found && maySee(principal, found.environment_id) ? found : undefined;
    if (!space) return rejected(change.id, `unknown space ${change.spaceId}: push its space.upsert first`, [{ path: 'spaceId', message: 'is not a known space' }]);
    const existing = await lockPlan(tx, change.planId);
    if (existing && !maySee(principal, existing.environment_id)) {
      // Another environment's plan: nothing of it is told, not even that it exists.
      return rejected(change.id, `plan id ${change.planId} cannot be used; choose another id`, [{ path: 'planId', message: 'cannot be used' }]);
    }
    if (existing) return conflict(`plan ${change.planId} already exists (version ${existing.version})`, existing);
    const issues = await coexistenceIssues(tx, change.planId, change.spaceId, change.config);
    if (issues.length > 0) return rejected(change.id, issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);

    const state = createPlanState(change.config);
    const effectiveMs = Math.min(atMs, nowMs);
    const activatesMs = localMidnightMs(change.config.activation.date, change.config.activation.timeZone);
    const inserted = await tx.query<PlanRow>(
      `INSERT INTO plans (id, space_id, environment_id, version, config, activates_ms, created_ms, created_by, updated_ms, updated_by)
       VALUES ($1, $2, $3, 1, $4::json, $5, $6, $7, $6, $7) RETURNING ${PLAN_COLUMNS}`,
      [change.planId, change.spaceId, space.environment_id, JSON.stringify(change.config), activatesMs, atMs, change.actor],
    );
    await insertVersion(tx, change, { version: 1, action: 'created', spaceId: change.spaceId, environmentId: space.environment_id, atMs, effectiveMs, config: change.config, changes: [], ord: 0 });
    await tx.query(
      'INSERT INTO plan_states (plan_id, space_id, environment_id, state, ops) VALUES ($1, $2, $3, $4::json, 1)',
      [change.planId, change.spaceId, space.environment_id, encodePlanState(state)],
    );
    await enqueuePlanEmail(tx, { kind: 'activated', planId: change.planId, version: 1, spaceId: change.spaceId, config: change.config, changes: [], actor: change.actor, atMs }, nowMs);
    return { id: change.id, status: 'applied', plan: planRecord(inserted.rows[0]!, nowMs) };
  }

  // Edit or delete: the space first (lock order: space, plan, state), then the plan.
  const peek = await tx.query<{ space_id: string; environment_id: string }>('SELECT space_id, environment_id FROM plans WHERE id = $1', [change.planId]);
  const visible = peek.rows[0] && maySee(principal, peek.rows[0].environment_id) ? peek.rows[0] : undefined;
  const spaceId = visible?.space_id;
  if (spaceId === undefined) return conflict(`plan ${change.planId} does not exist here`, undefined);
  await lockSpace(tx, spaceId);
  const plan = (await lockPlan(tx, change.planId))!;
  if (plan.version !== change.baseVersion) {
    return conflict(`plan ${plan.id} is at version ${plan.version}; this change was based on version ${change.baseVersion}`, plan);
  }
  if (plan.deleted_ms !== null) return rejected(change.id, `plan ${plan.id} is deleted`);

  const stateRow = await tx.query<{ state: string; ops: number }>(
    'SELECT state::text AS state, ops FROM plan_states WHERE plan_id = $1 FOR UPDATE',
    [plan.id],
  );
  const state = decodePlanState(stateRow.rows[0]!.state);
  // Usage the fast path charged since the last seed becomes part of the state first (one ord).
  const folded = await foldCounters(tx, new Map([[plan.id, state]]));
  const ord = Number(stateRow.rows[0]!.ops) + (folded.size > 0 ? 1 : 0);
  // Credits are enforced in order: an edit made offline takes effect when it arrives, never
  // before usage already decided under the previous terms.
  const effectiveMs = Math.max(state.clockMs, Math.min(atMs, nowMs));
  const version = plan.version + 1;
  const previous = plan.config;

  let config: PlanConfig;
  let changes: ReturnType<typeof diffPlanConfigs> = [];
  if (change.kind === 'plan.edit') {
    const issues = await coexistenceIssues(tx, plan.id, plan.space_id, change.config);
    if (issues.length > 0) return rejected(change.id, issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues);
    const applied = applyEdit(state, change.config, effectiveMs);
    if (!applied.applied) return rejected(change.id, applied.reason);
    config = change.config;
    changes = diffPlanConfigs(previous, config);
  } else {
    const applied = applyDelete(state, effectiveMs);
    if (!applied.applied) return rejected(change.id, applied.reason);
    config = previous;
  }
  const action = change.kind === 'plan.edit' ? 'updated' : 'deleted';
  const updated = await tx.query<PlanRow>(
    `UPDATE plans SET version = $2, config = $3::json, activates_ms = $4, updated_ms = $5, updated_by = $6,
            deleted_ms = CASE WHEN $7 THEN $5::bigint ELSE deleted_ms END
      WHERE id = $1 RETURNING ${PLAN_COLUMNS}`,
    [plan.id, version, JSON.stringify(config), localMidnightMs(config.activation.date, config.activation.timeZone), atMs, change.actor, action === 'deleted'],
  );
  await insertVersion(tx, change, { version, action, spaceId: plan.space_id, environmentId: plan.environment_id, atMs, effectiveMs, config, changes, ord });
  await tx.query('UPDATE plan_states SET state = $2::json, ops = $3 WHERE plan_id = $1', [plan.id, encodePlanState(state), ord + 1]);
  await seedCounters(tx, [{ planId: plan.id, state, generation: ord + 1 }]);
  await enqueuePlanEmail(
    tx,
    { kind: action, planId: plan.id, version, spaceId: plan.space_id, config, changes, actor: change.actor, atMs },
    nowMs,
  );
  return { id: change.id, status: 'applied', plan: planRecord(updated.rows[0]!, nowMs) };
}

interface VersionFacts {
  version: number;
  action: 'created' | 'updated' | 'deleted';
  spaceId: string;
  environmentId: string;
  atMs: number;
  effectiveMs: number;
  config: PlanConfig;
  changes: ReturnType<typeof diffPlanConfigs>;
  ord: number;
}

async function insertVersion(tx: Queryable, change: PlanChange, facts: VersionFacts): Promise<void> {
  await tx.query(
    `INSERT INTO plan_versions (plan_id, version, space_id, environment_id, action, actor, at_ms, effective_ms, config, changes, change_id, ord)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::json, $10::json, $11, $12)`,
    [change.planId, facts.version, facts.spaceId, facts.environmentId, facts.action, change.actor, facts.atMs, facts.effectiveMs,
      JSON.stringify(facts.config), JSON.stringify(facts.changes), change.id, facts.ord],
  );
}
