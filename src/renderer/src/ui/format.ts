import type { Role } from '../../../shared/api';
import type { Channel, PlanConfig } from '../../../shared/domain';
import { creditAmountLabel, LIMIT_LABELS, renewValueLabel, totalCredits, yesNoLabel } from '../../../shared/domain';

export const ROLE_LABEL: Record<Role, string> = {
  admin: 'Admin',
  account_manager: 'Account manager',
  support: 'Support',
};

// The plan's terms read as the domain words them (shared/domain/labels), on screen as in the e-mails.
export const formatCredits = creditAmountLabel;
export const yesNo = yesNoLabel;

export function limitLabel(config: PlanConfig): string {
  return LIMIT_LABELS[config.limit];
}

export const renewLabel = renewValueLabel;

export function creditsLabel(config: PlanConfig): string {
  return formatCredits(totalCredits(config));
}

export function billingDate(config: PlanConfig): string {
  return `${config.activation.date} (${config.activation.timeZone})`;
}

export function planChannels(config: PlanConfig): Channel[] {
  return config.limit === 'all_channels' ? [] : (Object.keys(config.credits) as Channel[]);
}

/** An instant as the reader's local date and time, with the UTC instant in the tooltip. */
export function formatInstant(iso: string, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return instantFormat(timeZone).format(date);
}

/**
 * Build the reader's instant format ahead, while the browser is idle: the first one costs a few
 * ms, which the first history page would otherwise pay on its way to the screen.
 */
export function prepareInstantFormat(): void {
  instantFormat(undefined);
}

/** An instant as the calendar day it falls on in a zone, e.g. "04 Dec 2026". */
export function formatDay(iso: string, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return cachedFormat(`day:${timeZone}`, { year: 'numeric', month: 'short', day: '2-digit', timeZone }).format(date);
}

function instantFormat(timeZone: string | undefined): Intl.DateTimeFormat {
  return cachedFormat(`instant:${timeZone ?? ''}`, {
    year: 'numeric',
    month: 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
    timeZoneName: timeZone ? 'short' : undefined,
  });
}

// Building an Intl.DateTimeFormat costs far more than using one; a history page formats 50 instants.
const formats = new Map<string, Intl.DateTimeFormat>();

function cachedFormat(key: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', options);
    formats.set(key, format);
  }
  return format;
}

/** A UTC instant written to the second (2027-01-31T05:00:00Z), however precisely it arrived. */
export function utcToSecond(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
