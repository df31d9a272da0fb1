import type { Channel } from './channels';

export const LIMITS = ['all_channels', 'channel_specific'] as const;
export type Limit = (typeof LIMITS)[number];

export const RENEWALS = ['weekly', 'monthly', 'quarterly', 'half_year', 'annually'] as const;
export type Renew = (typeof RENEWALS)[number];

/** The bucket name of an all-channels plan's shared pool. */
export const POOL = 'ALL';
export type BucketName = Channel | typeof POOL;

/** A local calendar date (YYYY-MM-DD) and the IANA zone whose midnight starts the plan. */
export interface Activation {
  date: string;
  timeZone: string;
}

interface PlanTerms {
  renew: Renew | null;
  rollover: boolean;
  overage: boolean;
  activation: Activation;
}

export interface AllChannelsPlan extends PlanTerms {
  limit: 'all_channels';
  /** The pool shared by every channel of the space. */
  credits: number;
}

export interface ChannelSpecificPlan extends PlanTerms {
  limit: 'channel_specific';
  /** One allocation per named channel; insertion order is display order. */
  credits: Partial<Record<Channel, number>>;
}

/** What an admin configures: the product's "credit plan" without its bookkeeping fields. */
export type PlanConfig = AllChannelsPlan | ChannelSpecificPlan;

/** Fields an edit may change; anything absent stays as it was. */
export type PlanPatch = Partial<{
  limit: Limit;
  credits: number | Partial<Record<Channel, number>>;
  renew: Renew | null;
  rollover: boolean;
  overage: boolean;
  activation: Activation;
}>;

/** The largest credits value accepted anywhere, so that sums of credits stay exact integers. */
export const MAX_CREDITS = 1_000_000_000_000;

/** Bucket names of a plan, in display order. */
export function bucketNames(config: PlanConfig): BucketName[] {
  return config.limit === 'all_channels' ? [POOL] : (Object.keys(config.credits) as Channel[]);
}

/** The configured allocation of one bucket (0 when the plan has no such bucket). */
export function allocationOf(config: PlanConfig, bucket: BucketName): number {
  if (config.limit === 'all_channels') return bucket === POOL ? config.credits : 0;
  return bucket === POOL ? 0 : (config.credits[bucket] ?? 0);
}

/** Total configured credits: the pool, or the sum of the channels. */
export function totalCredits(config: PlanConfig): number {
  if (config.limit === 'all_channels') return config.credits;
  let sum = 0;
  for (const value of Object.values(config.credits)) sum += value ?? 0;
  return sum;
}
