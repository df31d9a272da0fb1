import { POOL, type BucketName, type Channel, type PlanConfig } from '../../shared/domain';

/**
 * Which plan and bucket a usage event counts against (SPEC §2) — the one place in the central
 * service that says so; both the fast path and the engine path ask it. A space's live plans
 * either limit all its channels (one pooled bucket) or name the channels they limit; traffic of
 * a channel no live plan covers is not limited.
 */
export interface LivePlan {
  id: string;
  version: number;
  config: PlanConfig;
}

export interface SpaceCoverage {
  environmentId: string;
  /** Live plan per channel ('*' for a plan limiting all channels). */
  covering: Map<Channel | '*', LivePlan>;
  /** The live plans and their versions, as the fast path checks them against the database. */
  signature: string;
}

export function spaceCoverage(environmentId: string, plans: readonly LivePlan[]): SpaceCoverage {
  const covering = new Map<Channel | '*', LivePlan>();
  for (const plan of plans) {
    if (plan.config.limit === 'all_channels') covering.set('*', plan);
    else for (const channel of Object.keys(plan.config.credits) as Channel[]) covering.set(channel, plan);
  }
  return { environmentId, covering, signature: coverageSignature(plans.map((p) => [p.id, p.version])) };
}

/** `id:version,…` in id order; SQL builds the same text from the plans table (fast.ts). */
export function coverageSignature(plans: readonly (readonly [string, number])[]): string {
  return [...plans]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, version]) => `${id}:${version}`)
    .join(',');
}

export interface Attribution {
  plan: LivePlan;
  bucket: BucketName;
}

/** The plan and bucket an event of `channel` in this space counts against, or null (not limited). */
export function attributeUsage(space: SpaceCoverage | undefined, channel: Channel): Attribution | null {
  if (!space) return null;
  const pooled = space.covering.get('*');
  if (pooled) return { plan: pooled, bucket: POOL };
  const plan = space.covering.get(channel);
  return plan ? { plan, bucket: channel } : null;
}
