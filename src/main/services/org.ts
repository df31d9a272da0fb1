import { CHANNELS, isChannel, type Channel } from '../../shared/domain';
import { uncoveredChannels } from '../../shared/engine';
import type { Environment, Space } from '../../shared/api';
import { getEnvironment, getSpace, insertEnvironment, insertSpace, insertSpaceChannel, newChangeId, iso, listEnvironments, listPlans, listSpaces, newId, type Ledger, type SpaceRow } from '../ledger';
import { insertOutbox } from '../sync';
import { z } from 'zod';
import { ApiFailure } from '../../shared/api';
import { notFound } from '../ledger';
import { wireChange } from './outbox';

const email = z.email();

export class OrgService {
  constructor(
    private readonly ledger: Ledger,
    private readonly clock: () => number,
  ) {}

  /** Each environment with how many of its spaces have channels no plan covers, for the first screen. */
  listEnvironments(): Environment[] {
    return listEnvironments(this.ledger).map((e) => {
      const spaces = listSpaces(this.ledger, e.id).map((s) => this.view(s));
      return {
        id: e.id,
        name: e.name,
        demo: e.demo,
        spaceCount: spaces.length,
        spacesWithUncoveredChannels: spaces.filter((s) => s.uncoveredChannels.length > 0).length,
      };
    });
  }

  /**
   * Environments, spaces and channels come to the console from the central service or are
   * created here; each creation here also waits in the outbox (as an upsert) so the central
   * service knows the names and the Account Manager its e-mails need. Demo data stays local.
   */
  createEnvironment(input: { name: string; demo?: boolean; id?: string }, actor = 'console'): Environment {
    const name = input.name.trim();
    if (name.length === 0 || name.length > 200) throw new ApiFailure('validation', 'An environment needs a name of 1 to 200 characters.');
    const env = { id: input.id ?? newId('ENV'), name, demo: input.demo ?? false, createdAt: this.clock() };
    this.ledger.transaction(() => {
      if (getEnvironment(this.ledger, env.id)) throw new ApiFailure('conflict', `Environment ${env.id} already exists.`);
      insertEnvironment(this.ledger, env);
      const change = wireChange({ kind: 'environment.upsert', id: newChangeId(), at: iso(env.createdAt), actor, environment: { id: env.id, name } });
      insertOutbox(this.ledger, change, env.createdAt, null, env.demo);
    });
    return { id: env.id, name: env.name, demo: env.demo, spaceCount: 0, spacesWithUncoveredChannels: 0 };
  }

  listSpaces(environmentId: string): Space[] {
    if (!getEnvironment(this.ledger, environmentId)) throw notFound('environment', environmentId);
    return listSpaces(this.ledger, environmentId).map((s) => this.view(s));
  }

  getSpace(spaceId: string): Space {
    const space = getSpace(this.ledger, spaceId);
    if (!space) throw notFound('space', spaceId);
    return this.view(space);
  }

  createSpace(input: {
    environmentId: string;
    name: string;
    accountManager: { name: string; email: string };
    channels: { channel: Channel; bidirectional: boolean }[];
    id?: string;
  }, actor = 'console'): Space {
    const env = getEnvironment(this.ledger, input.environmentId);
    if (!env) throw notFound('environment', input.environmentId);
    const name = input.name.trim();
    if (name.length === 0 || name.length > 200) throw new ApiFailure('validation', 'A space needs a name of 1 to 200 characters.');
    const manager = { name: input.accountManager.name.trim(), email: input.accountManager.email.trim() };
    if (manager.name.length === 0 || manager.name.length > 200) throw new ApiFailure('validation', 'A space needs an Account Manager name of 1 to 200 characters.');
    if (!email.safeParse(manager.email).success) {
      throw new ApiFailure('validation', `"${manager.email}" is not an e-mail address for the Account Manager.`);
    }
    const seen = new Set<string>();
    for (const { channel } of input.channels) {
      if (!isChannel(channel)) throw new ApiFailure('validation', `"${String(channel)}" is not a channel (${CHANNELS.join(', ')}).`);
      if (seen.has(channel)) throw new ApiFailure('validation', `Channel ${channel} is listed twice.`);
      seen.add(channel);
    }
    const id = input.id ?? newId('SP');
    const at = this.clock();
    this.ledger.transaction(() => {
      if (getSpace(this.ledger, id)) throw new ApiFailure('conflict', `Space ${id} already exists.`);
      insertSpace(this.ledger, { id, environmentId: input.environmentId, name, accountManager: manager, createdAt: at });
      const space = wireChange({
        kind: 'space.upsert',
        id: newChangeId(),
        at: iso(at),
        actor,
        space: { id, environmentId: input.environmentId, name, accountManager: manager },
      });
      insertOutbox(this.ledger, space, at, null, env.demo);
      for (const c of input.channels) this.writeChannel(id, c.channel, c.bidirectional, at, actor, env.demo);
    });
    return this.getSpace(id);
  }

  /** A channel added later is covered by an all-channels plan, not by channel-specific ones (SPEC §2). */
  addChannel(spaceId: string, channel: Channel, bidirectional: boolean, actor = 'console'): Space {
    this.ledger.transaction(() => {
      const space = getSpace(this.ledger, spaceId);
      if (!space) throw notFound('space', spaceId);
      if (space.channels.some((c) => c.channel === channel)) {
        throw new ApiFailure('conflict', `Space ${space.name} already has the ${channel} channel.`);
      }
      this.writeChannel(spaceId, channel, bidirectional, this.clock(), actor, space.demo);
    });
    return this.getSpace(spaceId);
  }

  private writeChannel(spaceId: string, channel: Channel, bidirectional: boolean, at: number, actor: string, demo: boolean): void {
    insertSpaceChannel(this.ledger, spaceId, { channel, bidirectional, addedAt: at });
    const change = wireChange({ kind: 'channel.upsert', id: newChangeId(), at: iso(at), actor, spaceId, channel, bidirectional });
    insertOutbox(this.ledger, change, at, null, demo);
  }

  view(space: SpaceRow): Space {
    const live = listPlans(this.ledger, space.id, false);
    const channels = space.channels.map((c) => c.channel);
    return {
      id: space.id,
      environmentId: space.environmentId,
      environmentName: space.environmentName,
      name: space.name,
      accountManager: space.accountManager,
      channels: space.channels.map((c) => ({ channel: c.channel, bidirectional: c.bidirectional, addedAt: iso(c.addedAt) })),
      uncoveredChannels: uncoveredChannels(
        channels,
        live.map((p) => ({ id: p.id, config: p.config })),
      ),
      livePlanCount: live.length,
      demo: space.demo,
    };
  }
}
