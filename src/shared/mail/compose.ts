import { activationLabel, CHANNELS, creditAmountLabel, fieldLabel, fieldValueLabel, type Channel, type PlanConfig } from '../domain';
import { isoSecond, localMidnightMs } from '../engine';
import type { FieldChange } from '../sync';
import { creditLines, expiryWords, moneyWords, type CreditGrant } from './credit-words';

/**
 * The e-mails to a space's Account Manager (SPEC §6): a complete summary of the plan, and for
 * an update what changed, old → new. The same facts in plain text and in HTML.
 *
 * One composer for both sides: the central service sends what this writes, and the console
 * stores and shows what this writes for its own changes, so the content on the console's Sync
 * screen is the e-mail that goes out. Pure (time is a fact), like the rest of src/shared.
 */
export type NotificationKind = 'activated' | 'updated' | 'deleted';

export const SUBJECTS: Record<NotificationKind, string> = {
  activated: 'Credit Plan Activated',
  updated: 'Credit Plan Updated',
  deleted: 'Credit Plan Deleted',
};

export interface PlanFacts {
  kind: NotificationKind;
  environmentName: string;
  spaceName: string;
  planId: string;
  version: number;
  config: PlanConfig;
  /** What an update changed (empty otherwise). */
  changes: FieldChange[];
  spaceChannels: { channel: Channel; bidirectional: boolean }[];
  actor: string;
  atMs: number;
}

export interface ComposedEmail {
  subject: string;
  text: string;
  html: string;
}


const credits = (n: number): string => `${creditAmountLabel(n)} credits`;

function channelDirection(channel: Channel, facts: PlanFacts): string {
  const known = facts.spaceChannels.find((c) => c.channel === channel);
  if (!known) return 'MT';
  return known.bidirectional ? 'MO - MT (bidirectional; only MT consumes)' : 'MT';
}

/** Rows of "channel → credits" as the wizard's summary lists them. */
function channelRows(facts: PlanFacts): [string, string][] {
  const { config } = facts;
  if (config.limit === 'all_channels') {
    const rows: [string, string][] = [['All channels (one shared pool)', credits(config.credits)]];
    for (const { channel } of [...facts.spaceChannels].sort((a, b) => CHANNELS.indexOf(a.channel) - CHANNELS.indexOf(b.channel))) {
      rows.push([`  ${channel}`, channelDirection(channel, facts)]);
    }
    return rows;
  }
  const rows: [string, string][] = [];
  let total = 0;
  for (const channel of CHANNELS) {
    const amount = config.credits[channel];
    if (amount === undefined) continue;
    total += amount;
    rows.push([channel, `${credits(amount)} · ${channelDirection(channel, facts)}`]);
  }
  rows.push(['Total', credits(total)]);
  return rows;
}

function activationText(config: PlanConfig): string {
  const startMs = localMidnightMs(config.activation.date, config.activation.timeZone);
  return `${activationLabel(config.activation)} (${isoSecond(startMs)})`;
}

/** The summary as label/value pairs; channel rows are separate because they are a table. */
function summaryPairs(facts: PlanFacts): [string, string][] {
  const { config } = facts;
  return [
    ['Environment', facts.environmentName],
    ['Space', facts.spaceName],
    ['Credit Plan ID', facts.planId],
    ['Version', String(facts.version)],
    ...(['limit', 'renew', 'rollover', 'overage'] as const).map((field): [string, string] => [fieldLabel(field), fieldValueLabel(field, config[field])]),
    [fieldLabel('activation'), activationText(config)],
  ];
}

function changeLines(facts: PlanFacts): string[] {
  return facts.changes.map((c) => `${fieldLabel(c.field)}: ${fieldValueLabel(c.field, c.old)} → ${fieldValueLabel(c.field, c.new)}`);
}

function intro(facts: PlanFacts): string {
  const when = isoSecond(facts.atMs);
  switch (facts.kind) {
    case 'activated':
      return `A credit plan was created for ${facts.spaceName} by ${facts.actor} at ${when}.`;
    case 'updated':
      return `The credit plan ${facts.planId} of ${facts.spaceName} was updated by ${facts.actor} at ${when}.`;
    case 'deleted':
      return `The credit plan ${facts.planId} of ${facts.spaceName} was deleted by ${facts.actor} at ${when}. Its history is kept.`;
  }
}

export function composeEmail(facts: PlanFacts): ComposedEmail {
  const subject = `${SUBJECTS[facts.kind]}: ${facts.spaceName} (${facts.planId})`;
  const pairs = summaryPairs(facts);
  const rows = channelRows(facts);
  const changes = changeLines(facts);
  const summaryTitle = facts.kind === 'deleted' ? 'The plan as it was' : 'Plan summary';

  const text = [
    SUBJECTS[facts.kind],
    '',
    intro(facts),
    ...(facts.kind === 'updated' ? ['', 'What changed (old → new):', ...(changes.length ? changes.map((l) => `  - ${l}`) : ['  (no field changed)'])] : []),
    '',
    `${summaryTitle}:`,
    ...pairs.map(([label, value]) => `  ${label}: ${value}`),
    '  Channels and credits:',
    ...rows.map(([label, value]) => `    ${label}: ${value}`),
    '',
  ].join('\n');

  const cell = 'style="padding:4px 12px 4px 0;text-align:left;vertical-align:top"';
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h1 style="font-size:20px">${escapeHtml(SUBJECTS[facts.kind])}</h1>`,
    `<p>${escapeHtml(intro(facts))}</p>`,
    ...(facts.kind === 'updated'
      ? [
          '<h2 style="font-size:16px">What changed (old → new)</h2><ul>',
          ...(changes.length ? changes.map((l) => `<li>${escapeHtml(l)}</li>`) : ['<li>(no field changed)</li>']),
          '</ul>',
        ]
      : []),
    `<h2 style="font-size:16px">${escapeHtml(summaryTitle)}</h2><table>`,
    ...pairs.map(([label, value]) => `<tr><th ${cell}>${escapeHtml(label)}</th><td ${cell}>${escapeHtml(value)}</td></tr>`),
    '</table>',
    '<h2 style="font-size:16px">Channels and credits</h2><table>',
    ...rows.map(([label, value]) => `<tr><th ${cell}>${escapeHtml(label.trim())}</th><td ${cell}>${escapeHtml(value)}</td></tr>`),
    '</table></body></html>',
  ].join('\n');
  return { subject, text, html };
}

/** The subject of the e-mail for credits given to a plan (a top-up or a charge-now). */
export const CREDITS_ADDED_SUBJECT = 'Credits Added';

export interface CreditFacts extends Omit<PlanFacts, 'kind' | 'changes'> {
  grant: CreditGrant & { id: string };
}

/**
 * "Credits Added": what was added to which bucket, until when, for which price, by whom and
 * when, then the plan's summary as the other e-mails carry it. The version is the plan version
 * the credits were given on (credits never make a new one).
 */
export function composeCreditsEmail(facts: CreditFacts): ComposedEmail {
  const subject = `${CREDITS_ADDED_SUBJECT}: ${facts.spaceName} (${facts.planId})`;
  const plan: PlanFacts = { ...facts, kind: 'activated', changes: [] };
  const pairs = summaryPairs(plan);
  const rows = channelRows(plan);
  const { grant } = facts;
  const what = grant.kind === 'charge_now' ? 'Charge now' : 'Top-up';
  const intro = `${what} ${grant.id}: credits were added to the credit plan ${facts.planId} of ${facts.spaceName} by ${facts.actor} at ${isoSecond(facts.atMs)}.`;
  const added: [string, string][] = [
    ['Credits added', creditLines(grant.credits).join(', ')],
    ['They', expiryWords(grant.expires)],
    ...(grant.week !== null ? [['Billing week', `${grant.week.week} of ${grant.week.weeks} (day ${grant.week.day} of ${grant.week.days} of the period)`] as [string, string]] : []),
    ['Price', moneyWords(grant.price)],
  ];
  const text = [
    CREDITS_ADDED_SUBJECT,
    '',
    intro,
    '',
    'What was added:',
    ...added.map(([label, value]) => `  ${label}: ${value}`),
    '',
    'Plan summary:',
    ...pairs.map(([label, value]) => `  ${label}: ${value}`),
    '  Channels and credits:',
    ...rows.map(([label, value]) => `    ${label}: ${value}`),
    '',
  ].join('\n');
  const cell = 'style="padding:4px 12px 4px 0;text-align:left;vertical-align:top"';
  const table = (list: [string, string][]): string[] => [
    '<table>',
    ...list.map(([label, value]) => `<tr><th ${cell}>${escapeHtml(label.trim())}</th><td ${cell}>${escapeHtml(value)}</td></tr>`),
    '</table>',
  ];
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif">',
    `<h1 style="font-size:20px">${escapeHtml(CREDITS_ADDED_SUBJECT)}</h1>`,
    `<p>${escapeHtml(intro)}</p>`,
    '<h2 style="font-size:16px">What was added</h2>',
    ...table(added),
    '<h2 style="font-size:16px">Plan summary</h2>',
    ...table(pairs),
    '<h2 style="font-size:16px">Channels and credits</h2>',
    ...table(rows),
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
