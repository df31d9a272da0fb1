import type { PlanConfig } from '../../shared/domain';
import { planCoverage, type PlanCoverage, type PlanVersionInput } from '../../shared/engine';
import type { Queryable } from '../store';

/**
 * What usage authorization knows of a space's plans: each plan's coverage over time, the input
 * of the engine's one rule for which plan and bucket an event counts against (`attributeEvent`,
 * src/shared/engine/attribution.ts), which the console's ledger asks too. Deleted plans are
 * kept: an event dated while a plan was in force counts against it, however late it arrives.
 */
export interface SpaceCoverage {
  environmentId: string;
  /**
   * Every plan of the space, in the order the service created them (the rule's tie-break);
   * `credits`: the plan was given add-on credits (a top-up, a charge-now) when this was read.
   */
  plans: (PlanCoverage & { id: string; credits: boolean })[];
  /**
   * The live plans and their versions, which the fast path checks against the database: a new
   * plan, an edit or a deletion changes it, and a deleted plan never changes again.
   */
  signature: string;
}

/** `id:version,…` in id order; SQL builds the same text from the plans table (fast.ts). */
export function coverageSignature(plans: readonly (readonly [string, number])[]): string {
  return [...plans]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, version]) => `${id}:${version}`)
    .join(',');
}

interface VersionRow {
  [key: string]: unknown;
  space_id: string;
  environment_id: string;
  plan_id: string | null;
  version: number | null;
  action: PlanVersionInput['action'] | null;
  config: PlanConfig | null;
  at_ms: unknown;
  live: boolean | null;
  credits: boolean | null;
}

/**
 * The spaces of these events with their plans' coverage, read now (the engine path never trusts
 * a cache). Versions count from the instant the console wrote them (at_ms), as in the ledger
 * that pulls them.
 */
export async function readCoverage(tx: Queryable, spaceIds: readonly string[]): Promise<Map<string, SpaceCoverage>> {
  // Parameters travel as one JSON text each: PGlite parses JSON much faster than array parameters.
  const rows = await tx.query<VersionRow>(
    `SELECT s.id AS space_id, s.environment_id, v.plan_id, v.version, v.action, v.config, v.at_ms, p.deleted_ms IS NULL AS live,
            EXISTS (SELECT 1 FROM plan_credits c WHERE c.plan_id = p.id) AS credits
       FROM spaces s
       LEFT JOIN plans p ON p.space_id = s.id
       LEFT JOIN plan_versions v ON v.plan_id = p.id
      WHERE s.id IN (SELECT json_array_elements_text($1::json))
      ORDER BY s.id, min(v.seq) OVER (PARTITION BY v.plan_id), v.plan_id, v.version`,
    [JSON.stringify(spaceIds)],
  );
  const spaces = new Map<string, { environmentId: string; plans: { id: string; live: boolean; credits: boolean; versions: PlanVersionInput[] }[] }>();
  for (const row of rows.rows) {
    let space = spaces.get(row.space_id);
    if (!space) spaces.set(row.space_id, (space = { environmentId: row.environment_id, plans: [] }));
    if (row.plan_id === null || row.config === null || row.action === null) continue;
    let plan = space.plans.at(-1);
    if (plan?.id !== row.plan_id) space.plans.push((plan = { id: row.plan_id, live: row.live === true, credits: row.credits === true, versions: [] }));
    plan.versions.push({ version: Number(row.version), action: row.action, config: row.config, at: Number(row.at_ms) });
  }
  const coverage = new Map<string, SpaceCoverage>();
  for (const [spaceId, space] of spaces) {
    const live = space.plans.filter((p) => p.live).map((p) => [p.id, p.versions.at(-1)!.version] as const);
    coverage.set(spaceId, {
      environmentId: space.environmentId,
      plans: space.plans.map((p) => ({ id: p.id, credits: p.credits, ...planCoverage(p.versions) })),
      signature: coverageSignature(live),
    });
  }
  return coverage;
}
