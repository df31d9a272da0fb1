import { z } from 'zod';
import type { BucketName, Money } from '../../shared/domain';
import type { Ledger } from './ledger';

/**
 * Add-on credits given to plans (migration 8): top-ups and charge-nows, with who gave them,
 * when, what and their price. Rows are only ever added; the engine applies them in time order
 * with the plan's versions and usage (src/main/accounts).
 */

const moneySchema = z.object({ amount: z.string(), currency: z.string() }).strict();
const bucketSchema = z.enum(['ALL', 'SMS', 'WhatsApp', 'Email', 'Push', 'RCS']);

/** What the engine answered when the credits were given, as the admin was shown it. */
export const creditAnswerSchema = z.object({
  credits: z.partialRecord(bucketSchema, z.number().int()),
  price: moneySchema.nullable(),
  /** Charge-now only: the local day d of P and the billing week w of W (SPEC §9.3). */
  week: z.object({ day: z.number().int(), days: z.number().int(), week: z.number().int(), weeks: z.number().int() }).optional(),
});
export type CreditAnswer = z.infer<typeof creditAnswerSchema>;

export interface PlanCreditRow {
  seq: number;
  id: string;
  planRef: number;
  kind: 'top_up' | 'charge_now';
  /** Top-ups only. */
  bucket: BucketName | null;
  credits: number | null;
  expires: 'period_end' | 'never' | null;
  price: Money | null;
  answer: CreditAnswer;
  at: number;
  actor: string;
}

interface RawCredit {
  seq: number;
  id: string;
  plan_ref: number;
  kind: 'top_up' | 'charge_now';
  bucket: BucketName | null;
  credits: number | null;
  expires: 'period_end' | 'never' | null;
  price: string | null;
  answer: string;
  at: number;
  actor: string;
}

function fromRaw(row: RawCredit): PlanCreditRow {
  return {
    seq: row.seq,
    id: row.id,
    planRef: row.plan_ref,
    kind: row.kind,
    bucket: row.bucket,
    credits: row.credits,
    expires: row.expires,
    price: row.price === null ? null : moneySchema.parse(JSON.parse(row.price)),
    answer: creditAnswerSchema.parse(JSON.parse(row.answer)),
    at: row.at,
    actor: row.actor,
  };
}

export function insertPlanCredit(ledger: Ledger, row: Omit<PlanCreditRow, 'seq'>): number {
  const result = ledger
    .stmt(
      `INSERT INTO plan_credits (id, plan_ref, kind, bucket, credits, expires, price, answer, at, actor)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      row.id,
      row.planRef,
      row.kind,
      row.bucket,
      row.credits,
      row.expires,
      row.price === null ? null : JSON.stringify(row.price),
      JSON.stringify(row.answer),
      row.at,
      row.actor,
    );
  return Number(result.lastInsertRowid);
}

export function getPlanCredit(ledger: Ledger, id: string): PlanCreditRow | null {
  const row = ledger.stmt('SELECT * FROM plan_credits WHERE id = ?').get(id) as RawCredit | undefined;
  return row === undefined ? null : fromRaw(row);
}

/**
 * A plan's credits given in [fromMs, untilMs], in the order the engine applies them (time, then
 * seq) — without those the central service refused (their outbox change rejected): they stay on
 * record but add nothing, as there.
 */
export function planCreditsBetween(ledger: Ledger, planRef: number, fromMs: number, untilMs: number): PlanCreditRow[] {
  const rows = ledger
    .stmt(
      `SELECT * FROM plan_credits c WHERE plan_ref = ? AND at >= ? AND at <= ?
         AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.change_id = c.id AND o.status = 'rejected')
       ORDER BY at, seq`,
    )
    .all(planRef, fromMs, untilMs) as RawCredit[];
  return rows.map(fromRaw);
}

/** Every credit given to a plan, newest first. */
export function listPlanCredits(ledger: Ledger, planRef: number): PlanCreditRow[] {
  const rows = ledger.stmt('SELECT * FROM plan_credits WHERE plan_ref = ? ORDER BY at DESC, seq DESC').all(planRef) as RawCredit[];
  return rows.map(fromRaw);
}
