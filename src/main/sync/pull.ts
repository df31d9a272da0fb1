import type { HistoryRecord, NotificationRecord, PlanRecord, PullItem } from '../../shared/sync';
import { BEGINNING, type Ledger, getPlan, type PlanRow } from '../ledger';
import { markDirty, settle, AggregateDelta, currentAttribution } from '../accounts';
import { centralUsageKey, forgetCentralUsage } from './central-usage';
import { applyPulledCredit } from './credits';
import { planHasUnsentChanges, setAsideConflict } from './conflicts';
import { updateSyncState } from './outbox';

/**
 * Applying one page of a pull: every record, and the cursor after it, in one transaction — a
 * crash leaves the ledger before the page or after it, never in between, and the next pull
 * starts where the last committed page ended. Records are the central service's latest state;
 * applying one twice changes nothing, so a page re-read after a crash is harmless.
 *
 * A plan with changes of mine still waiting keeps my version (the central service will answer
 * them); its central history entries are still taken in, and an entry that takes the place of
 * one of mine (same version, another change) means the central service moved on: my waiting
 * changes are set aside as a conflict right there.
 */

export interface PullPageResult {
  applied: number;
  conflicts: string[];
  planIds: Set<string>;
}

const ms = (text: string): number => Date.parse(text);

function ensureEnvironment(ledger: Ledger, id: string, at: number): void {
  ledger.stmt('INSERT OR IGNORE INTO environments (id, name, demo, created_at) VALUES (?, ?, 0, ?)').run(id, id, at);
}

/** A space a record refers to before its own record arrived (the feed orders by last change). */
function ensureSpace(ledger: Ledger, id: string, environmentId: string, at: number): void {
  ensureEnvironment(ledger, environmentId, at);
  ledger
    .stmt("INSERT OR IGNORE INTO spaces (id, environment_id, name, am_name, am_email, created_at) VALUES (?, ?, ?, '', '', ?)")
    .run(id, environmentId, id, at);
}

function ensurePlan(ledger: Ledger, record: { planId: string; spaceId: string; environmentId: string }, first: HistoryRecord): PlanRow {
  const existing = getPlan(ledger, record.planId);
  if (existing !== null) return existing;
  const at = ms(first.at);
  ensureSpace(ledger, record.spaceId, record.environmentId, at);
  ledger
    .stmt(
      `INSERT INTO plans (id, space_id, version, config, deleted_at, created_at, created_by, updated_at, updated_by)
       VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?)`,
    )
    .run(record.planId, record.spaceId, first.version, JSON.stringify(first.config), at, first.actor, at, first.actor);
  return getPlan(ledger, record.planId)!;
}

function applyPlan(ledger: Ledger, plan: PlanRecord): number | null {
  const existing = getPlan(ledger, plan.id);
  const fields = [
    plan.version,
    JSON.stringify(plan.config),
    plan.deletedAt === null ? null : ms(plan.deletedAt),
    ms(plan.createdAt),
    plan.createdBy,
    ms(plan.updatedAt),
    plan.updatedBy,
  ];
  if (existing === null) {
    ensureSpace(ledger, plan.spaceId, plan.environmentId, ms(plan.createdAt));
    const info = ledger
      .stmt(
        `INSERT INTO plans (id, space_id, version, config, deleted_at, created_at, created_by, updated_at, updated_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(plan.id, plan.spaceId, ...fields);
    return Number(info.lastInsertRowid);
  }
  if (planHasUnsentChanges(ledger, existing.ref)) return null;
  // Never step back: a page re-read after a crash may carry an older state than a later page did.
  if (existing.version > plan.version) return null;
  ledger
    .stmt('UPDATE plans SET version = ?, config = ?, deleted_at = ?, created_at = ?, created_by = ?, updated_at = ?, updated_by = ? WHERE ref = ?')
    .run(...fields, existing.ref);
  return existing.ref;
}

interface LiveEntry {
  seq: number;
  sync: 'local' | 'confirmed';
  change_id: string | null;
}

function applyHistory(ledger: Ledger, h: HistoryRecord, now: number, newId: () => string, conflicts: string[]): number {
  const plan = ensurePlan(ledger, h, h);
  const at = ms(h.at);
  const live = ledger
    .stmt(
      `SELECT h.seq, h.sync, coalesce(h.change_id, o.change_id) AS change_id FROM history_log h
       LEFT JOIN outbox o ON o.plan_ref = h.plan_ref AND o.version = h.version
       WHERE h.plan_ref = ? AND h.version = ? AND h.sync IN ('local', 'confirmed') AND h.credit IS NULL`,
    )
    .get(plan.ref, h.version) as LiveEntry | undefined;

  const version = [h.action, JSON.stringify(h.config), at, h.actor] as const;
  if (live !== undefined && live.change_id === h.changeId) {
    // My change, as the central service recorded it: confirm it (a lost push answer ends here too).
    if (live.sync === 'local') {
      ledger
        .stmt("UPDATE history_log SET action = ?, plan = ?, at = ?, actor = ?, changes = ?, change_id = ?, sync = 'confirmed' WHERE seq = ?")
        .run(h.action, JSON.stringify(h.config), at, h.actor, JSON.stringify(h.changes), h.changeId, live.seq);
    }
    ledger.stmt('UPDATE plan_versions SET action = ?, config = ?, at = ?, actor = ? WHERE plan_ref = ? AND version = ?').run(...version, plan.ref, h.version);
    ledger
      .stmt("UPDATE outbox SET status = 'accepted', settled_at = ? WHERE change_id = ? AND status IN ('pending', 'sent')")
      .run(now, h.changeId);
    return plan.ref;
  }
  if (live !== undefined && live.sync === 'confirmed') return plan.ref; // already taken in
  if (live !== undefined) {
    const id = setAsideConflict(ledger, {
      planRef: plan.ref,
      baseVersion: h.version - 1,
      reason: 'outdated',
      message: `plan ${plan.id} was changed by ${h.actor} (version ${h.version}) before your change reached the central service`,
      at: now,
      newId,
    });
    if (id !== null) conflicts.push(id);
  }
  ledger
    .stmt('INSERT OR REPLACE INTO plan_versions (plan_ref, version, action, config, at, actor) VALUES (?, ?, ?, ?, ?, ?)')
    .run(plan.ref, h.version, ...version);
  ledger
    .stmt(
      `INSERT INTO history_log (plan_ref, plan_id, space_id, version, action, actor, at, plan, changes, change_id, sync)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'confirmed')`,
    )
    .run(plan.ref, plan.id, plan.spaceId, h.version, h.action, h.actor, at, JSON.stringify(h.config), JSON.stringify(h.changes), h.changeId);
  const current = getPlan(ledger, plan.id)!;
  if (h.version > current.version && !planHasUnsentChanges(ledger, plan.ref)) {
    ledger
      .stmt('UPDATE plans SET version = ?, config = ?, deleted_at = ?, updated_at = ?, updated_by = ? WHERE ref = ?')
      .run(h.version, JSON.stringify(h.config), h.action === 'deleted' ? at : null, at, h.actor, plan.ref);
  }
  return plan.ref;
}

function applyNotification(ledger: Ledger, n: NotificationRecord): void {
  const error = n.status === 'failed' ? (n.lastError ?? 'the e-mail could not be sent') : null;
  const updated = ms(n.updatedAt);
  // Mine: the e-mail written here for the change that made this version, or for these credits.
  const local =
    n.creditId !== undefined
      ? (ledger.stmt('SELECT id FROM notifications WHERE change_id = ? LIMIT 1').get(n.creditId) as { id: string } | undefined)
      : (ledger
          .stmt(
            `SELECT n.id FROM notifications n JOIN outbox o ON o.change_id = n.change_id
             WHERE o.plan_id = ? AND o.version = ? LIMIT 1`,
          )
          .get(n.planId, n.planVersion) as { id: string } | undefined);
  if (local !== undefined) {
    // Composed here by the same composer from the same facts, so normally the same text; but the
    // central service composed it from its own view of the space (channels another console added,
    // say), and what it sent is what the Sync screen must show.
    ledger
      .stmt('UPDATE notifications SET status = ?, updated_at = ?, error = ?, recipient = ?, subject = ?, text_body = ?, html_body = ? WHERE id = ?')
      .run(n.status, updated, error, n.to, n.subject, n.text, n.html, local.id);
    return;
  }
  const plan = getPlan(ledger, n.planId);
  if (plan === null) return; // the plan's own records come first in the feed; a plan out of sight has no e-mails here
  ledger
    .stmt(
      `INSERT INTO notifications (id, plan_ref, plan_id, space_id, change_id, kind, recipient, subject, text_body, html_body, status, created_at, updated_at, error)
       VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at, error = excluded.error`,
    )
    .run(n.id, plan.ref, n.planId, n.spaceId, n.kind, n.to, n.subject, n.text, n.html, n.status, ms(n.createdAt), updated, error);
}

/** Apply one page and move the cursor past it, in one transaction. */
export function applyPullPage(
  ledger: Ledger,
  page: { items: readonly PullItem[]; nextCursor: string },
  options: { now: number; newId: () => string },
): PullPageResult {
  return ledger.transaction(() => {
    const touched = new Set<number>();
    const conflicts: string[] = [];
    const planIds = new Set<string>();
    const usagePlans = new Set<string>();
    const { now } = options;
    const upsertSlot = ledger.stmt(
      `INSERT INTO central_usage_slots (space_id, plan_key, channel, slot_ms, environment_id, mt_credits, mt_events, mo_events, rejected_events, rejected_credits)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (space_id, plan_key, channel, slot_ms) DO UPDATE SET mt_credits = excluded.mt_credits, mt_events = excluded.mt_events,
         mo_events = excluded.mo_events, rejected_events = excluded.rejected_events, rejected_credits = excluded.rejected_credits`,
    );
    const upsertLabelSlot = ledger.stmt(
      `INSERT INTO central_usage_label_slots (space_id, dim, slot_ms, label, environment_id, mt_credits, mt_events, mo_events, rejected_events, rejected_credits)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (space_id, dim, slot_ms, label) DO UPDATE SET mt_credits = excluded.mt_credits, mt_events = excluded.mt_events,
         mo_events = excluded.mo_events, rejected_events = excluded.rejected_events, rejected_credits = excluded.rejected_credits`,
    );
    for (const item of page.items) {
      switch (item.kind) {
        case 'environment': {
          const e = item.environment;
          ledger
            .stmt('INSERT INTO environments (id, name, demo, created_at) VALUES (?, ?, 0, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name')
            .run(e.id, e.name, ms(e.updatedAt));
          break;
        }
        case 'space': {
          const s = item.space;
          ensureEnvironment(ledger, s.environmentId, ms(s.updatedAt));
          ledger
            .stmt(
              `INSERT INTO spaces (id, environment_id, name, am_name, am_email, created_at) VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (id) DO UPDATE SET name = excluded.name, am_name = excluded.am_name, am_email = excluded.am_email`,
            )
            .run(s.id, s.environmentId, s.name, s.accountManager.name, s.accountManager.email, ms(s.updatedAt));
          break;
        }
        case 'channel': {
          const c = item.channel;
          ensureSpace(ledger, c.spaceId, c.environmentId, ms(c.addedAt));
          ledger
            .stmt(
              `INSERT INTO space_channels (space_id, channel, bidirectional, added_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (space_id, channel) DO UPDATE SET bidirectional = excluded.bidirectional`,
            )
            .run(c.spaceId, c.channel, c.bidirectional ? 1 : 0, ms(c.addedAt));
          break;
        }
        case 'plan': {
          const ref = applyPlan(ledger, item.plan);
          if (ref !== null) touched.add(ref);
          planIds.add(item.plan.id);
          break;
        }
        case 'history':
          touched.add(applyHistory(ledger, item.history, now, options.newId, conflicts));
          planIds.add(item.history.planId);
          break;
        case 'planState': {
          const s = item.planState;
          ledger
            .stmt(
              `INSERT INTO central_plan_states (plan_id, version, at, state) VALUES (?, ?, ?, ?)
               ON CONFLICT (plan_id) DO UPDATE SET version = excluded.version, at = excluded.at, state = excluded.state`,
            )
            .run(s.planId, s.version, ms(s.at), JSON.stringify(s));
          break;
        }
        case 'usageSlot': {
          const u = item.usageSlot;
          upsertSlot.run(u.spaceId, u.planId ?? '', u.channel, ms(u.slotStart), u.environmentId, u.mtCredits, u.mtEvents, u.moEvents, u.rejectedEvents, u.rejectedCredits);
          usagePlans.add(centralUsageKey(u.spaceId, u.planId));
          break;
        }
        case 'usageLabelSlot': {
          const u = item.usageLabelSlot;
          upsertLabelSlot.run(u.spaceId, u.dim === 'identity' ? 1 : 2, ms(u.slotStart), u.label, u.environmentId, u.mtCredits, u.mtEvents, u.moEvents, u.rejectedEvents, u.rejectedCredits);
          break;
        }
        case 'notification':
          applyNotification(ledger, item.notification);
          break;
        case 'credit': {
          const ref = applyPulledCredit(ledger, item.credit, now);
          if (ref !== null) touched.add(ref);
          planIds.add(item.credit.planId);
          break;
        }
      }
    }
    if (touched.size > 0) refreshEngine(ledger, touched, now);
    updateSyncState(ledger, { cursor: page.nextCursor });
    // Plan details read these plans' central slots again (also right if this transaction fails).
    forgetCentralUsage(ledger, usagePlans);
    return { applied: page.items.length, conflicts, planIds };
  });
}

/** The engine states of plans whose versions changed: re-decided from the beginning. */
export function refreshEngine(ledger: Ledger, refs: Iterable<number>, now: number): void {
  ledger.plansGeneration += 1; // the plans' timelines are read again
  const attribution = currentAttribution(ledger);
  const delta = new AggregateDelta();
  for (const ref of refs) {
    const timeline = attribution.timeline(ref);
    if (timeline === undefined || timeline.versions.length === 0) continue;
    markDirty(ledger, timeline, BEGINNING);
    settle(ledger, timeline, delta, now);
  }
  delta.flush(ledger);
}
