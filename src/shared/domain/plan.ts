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

/**
 * Money (SPEC §1, §9.8): a non-negative decimal written as a string, and an ISO 4217 currency.
 * Never a float; the engine computes with it exactly.
 */
export interface Money {
  amount: string;
  currency: string;
}

/** `true`: +100 % once per period (SPEC §4); `'metered'`: never blocks, billed per credit (SPEC §9.5). */
export type Overage = boolean | 'metered';

/** Credits per local day, per bucket: a number for an all-channels pool, per channel otherwise (SPEC §9.4). */
export type DailyLimit = number | Partial<Record<Channel, number>>;

interface PlanTerms {
  renew: Renew | null;
  rollover: boolean;
  /** Section 4's overage; also true for a metered plan, which `overageMetered` marks. */
  overage: boolean;
  activation: Activation;
  /**
   * Metered overage (SPEC §9.5; scenario files and edits write it `"overage": "metered"`). Kept
   * beside the boolean so that every reader of `overage` keeps working: a metered plan has
   * overage. `overageOf` gives the one value.
   */
  overageMetered?: true;
  /** Credits per MT message by channel; a channel not listed costs 1 (SPEC §9.1). */
  costs?: Partial<Record<Channel, number>>;
  dailyLimit?: DailyLimit;
  /** The price of one period (SPEC §9.3, §9.6). */
  price?: Money;
  /** The least a "charge now" costs; 10.00 in the plan's currency when absent (SPEC §9.3). */
  minimumCharge?: Money;
  /** Money per metered credit (SPEC §9.5). */
  overageRate?: Money;
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
  overage: Overage;
  activation: Activation;
  /** `null` removes the part (SPEC §9.8). */
  costs: Partial<Record<Channel, number>> | null;
  dailyLimit: DailyLimit | null;
  price: Money | null;
  minimumCharge: Money | null;
  overageRate: Money | null;
}>;

/** The largest credits value accepted anywhere, so that sums of credits stay exact integers. */
export const MAX_CREDITS = 1_000_000_000_000;

/** The plan's overage as SPEC §9.5 writes it: false, true (+100 % once) or 'metered'. */
export function overageOf(config: PlanConfig): Overage {
  return config.overageMetered === true ? 'metered' : config.overage;
}

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
