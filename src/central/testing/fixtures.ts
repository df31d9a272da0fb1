import type { PlanConfig } from '../../shared/domain';
import type { ChangeInput } from '../../shared/sync';

/** Builders of outbox changes, as a console would send them (tests and benchmarks). */
let counter = 0;

export function changeId(label = 'chg'): string {
  counter += 1;
  return `${label}-${process.pid}-${Date.now().toString(36)}-${counter.toString(36).padStart(6, '0')}`;
}

export const AT = '2026-11-01T08:00:00Z';

export function environmentUpsert(id: string, name: string, actor = 'alice'): ChangeInput {
  return { id: changeId(), kind: 'environment.upsert', at: AT, actor, environment: { id, name } };
}

export function spaceUpsert(id: string, environmentId: string, name: string, manager = { name: 'Ann Manager', email: 'ann@example.com' }, actor = 'alice'): ChangeInput {
  return { id: changeId(), kind: 'space.upsert', at: AT, actor, space: { id, environmentId, name, accountManager: manager } };
}

export function channelUpsert(spaceId: string, channel: ChannelName, bidirectional = false, actor = 'alice'): ChangeInput {
  return { id: changeId(), kind: 'channel.upsert', at: AT, actor, spaceId, channel, bidirectional };
}

export function planCreate(planId: string, spaceId: string, config: PlanConfig, actor = 'alice', at = AT): ChangeInput {
  return { id: changeId(), kind: 'plan.create', at, actor, planId, spaceId, baseVersion: 0, config };
}

export function planEdit(planId: string, baseVersion: number, config: PlanConfig, actor = 'alice', at = AT): ChangeInput {
  return { id: changeId(), kind: 'plan.edit', at, actor, planId, baseVersion, config };
}

export function planDelete(planId: string, baseVersion: number, actor = 'alice', at = AT): ChangeInput {
  return { id: changeId(), kind: 'plan.delete', at, actor, planId, baseVersion };
}

export function smsPlan(credits: number, extra: Partial<PlanConfig> = {}): PlanConfig {
  return {
    limit: 'channel_specific',
    credits: { SMS: credits },
    renew: 'monthly',
    rollover: false,
    overage: false,
    activation: { date: '2026-11-01', timeZone: 'Europe/Madrid' },
    ...extra,
  } as PlanConfig;
}

type ChannelName = 'SMS' | 'WhatsApp' | 'Email' | 'Push' | 'RCS';

/** An environment and a space with channels (SMS bidirectional), as the first changes of a console. */
export function spaceSetup(
  environmentId: string,
  spaceId: string,
  manager?: { name: string; email: string },
  channels: ChannelName[] = ['SMS', 'WhatsApp', 'Email', 'Push'],
): ChangeInput[] {
  return [
    environmentUpsert(environmentId, `Environment ${environmentId}`),
    spaceUpsert(spaceId, environmentId, `Space ${spaceId}`, manager),
    ...channels.map((channel) => channelUpsert(spaceId, channel, channel === 'SMS')),
  ];
}
