import { CHANNELS, MAX_CREDITS, type Channel } from '../domain';

/**
 * The credit calculator (seed 000's "Calculate your credits", SPEC §9.1): expected MT messages
 * per month per channel × credits per message per channel → monthly credits needed and the
 * average credits per message. Pure, integers only. `creditsPerMessage` is the rate card a plan
 * carries (`costs`, SPEC §9.1): a channel not listed costs 1. MO messages are free and are not
 * asked for.
 */

export interface CalculatorInput {
  /** Expected MT messages per month, per channel (whole numbers ≥ 0). */
  messagesPerMonth: Partial<Record<Channel, number>>;
  /** Credits per MT message, per channel (whole numbers ≥ 1); a channel not listed costs 1. */
  creditsPerMessage?: Partial<Record<Channel, number>>;
}

export interface CalculatorLine {
  channel: Channel;
  messages: number;
  creditsPerMessage: number;
  credits: number;
}

export interface CalculatorResult {
  /** The channels with messages, in the product's channel order. */
  lines: CalculatorLine[];
  messages: number;
  /** Monthly credits needed: Σ messages × credits per message. */
  monthlyCredits: number;
  /** Average credits per message as hundredths, rounded half up (e.g. 175 = 1.75); null without messages. */
  averageHundredths: number | null;
  /** Whether the monthly credits fit in one plan (a plan holds at most 10^12 credits). */
  fitsInAPlan: boolean;
}

export interface CalculatorIssue {
  path: string;
  message: string;
}

/** Largest count of messages or credits per message taken; products are exact (BigInt) beyond it. */
const MAX_INPUT = MAX_CREDITS;

export function calculateCredits(input: CalculatorInput): { result: CalculatorResult | null; issues: CalculatorIssue[] } {
  const issues: CalculatorIssue[] = [];
  const lines: CalculatorLine[] = [];
  let messages = 0n;
  let credits = 0n;
  for (const channel of CHANNELS) {
    const count = input.messagesPerMonth[channel];
    const rate = input.creditsPerMessage?.[channel] ?? 1;
    if (count !== undefined && !(Number.isSafeInteger(count) && count >= 0 && count <= MAX_INPUT)) {
      issues.push({ path: `messagesPerMonth.${channel}`, message: `must be a whole number of messages from 0 to ${MAX_INPUT.toLocaleString('en-US')}` });
      continue;
    }
    if (!(Number.isSafeInteger(rate) && rate >= 1 && rate <= MAX_INPUT)) {
      issues.push({ path: `creditsPerMessage.${channel}`, message: 'must be a whole number of credits from 1 up' });
      continue;
    }
    if (count === undefined || count === 0) continue;
    const lineCredits = BigInt(count) * BigInt(rate);
    messages += BigInt(count);
    credits += lineCredits;
    lines.push({ channel, messages: count, creditsPerMessage: rate, credits: Number(lineCredits) });
  }
  for (const key of Object.keys(input.messagesPerMonth)) {
    if (!(CHANNELS as readonly string[]).includes(key)) issues.push({ path: `messagesPerMonth.${key}`, message: `${key} is not a channel (${CHANNELS.join(', ')})` });
  }
  if (issues.length > 0) return { result: null, issues };
  const averageHundredths = messages === 0n ? null : Number((credits * 200n + messages) / (messages * 2n));
  return {
    result: {
      lines,
      messages: Number(messages),
      monthlyCredits: Number(credits),
      averageHundredths,
      fitsInAPlan: credits <= BigInt(MAX_CREDITS),
    },
    issues,
  };
}

/** "1.75" from hundredths. */
export function formatHundredths(hundredths: number): string {
  return `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`;
}
