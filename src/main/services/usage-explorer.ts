import { describeExplanation } from '../../shared/engine';
import { ApiFailure } from '../../shared/api';
import type { UsageExplainInput, UsageExplanationView } from '../../shared/api/usage-explain';
import type { Channel, Direction } from '../../shared/domain';
import { currentAttribution, explainEvent } from '../accounts';
import { channelSql, directionSql, getEnvironment, getSpace, iso, listSpaces, notFound, type Ledger } from '../ledger';

/**
 * The event explorer ("Look up a usage event"): why one event of a space or environment was
 * charged or refused. The ledger keeps no explanation: it replays the deciding plan from its
 * last checkpoint before the event (at most one UTC day of that plan's events) through the
 * engine's explanation — the replay reads already rely on, so it decides as the import did.
 */
export class UsageExplorerService {
  constructor(private readonly ledger: Ledger) {}

  explain(input: UsageExplainInput): UsageExplanationView {
    const { ledger } = this;
    const spaceIds = this.scopeSpaces(input.scope);
    const row = ledger
      .stmt(
        `SELECT e.seq, e.id, s.space_id, ${channelSql('e.kind')} AS channel, ${directionSql('e.kind')} AS direction, e.credits, e.occurred_at,
           e.plan_ref, e.identity, e.campaign
         FROM usage_events e JOIN space_refs s ON s.ref = e.space_ref WHERE e.id = ?`,
      )
      .get(input.eventId) as EventRow | undefined;
    if (row === undefined || !spaceIds.has(row.space_id)) {
      const where = input.scope.kind === 'space' ? 'this space' : 'this environment';
      throw new ApiFailure('not_found', `No usage event with id ${input.eventId} in ${where}.`);
    }
    const space = getSpace(ledger, row.space_id);
    const event: UsageExplanationView['event'] = {
      id: row.id,
      spaceId: row.space_id,
      spaceName: space?.name ?? row.space_id,
      channel: row.channel,
      direction: row.direction,
      credits: row.credits,
      occurredAt: iso(row.occurred_at),
      identity: row.identity,
      campaign: row.campaign,
    };
    if (row.plan_ref === null) return { event, plan: null, explain: null };
    const timeline = currentAttribution(ledger).timeline(row.plan_ref);
    if (timeline === undefined) throw new Error(`plan ${row.plan_ref} has no timeline`);
    // The version in force at the event: the last one applied at or before it (versions come
    // first at one instant); usage older than the plan's creation is judged by its first.
    const version = timeline.versions.filter((v) => v.effectiveAt <= row.occurred_at).pop() ?? timeline.versions[0]!;
    const explanation = explainEvent(ledger, timeline, row.seq, row.occurred_at);
    if (explanation === null) throw new Error(`event ${row.seq} was not found replaying plan ${timeline.id}`);
    return {
      event,
      plan: {
        id: timeline.id,
        version: version.version,
        timeZone: version.config.activation.timeZone,
        deleted: timeline.deletedAt !== null && row.occurred_at >= timeline.deletedAt,
      },
      explain: describeExplanation(explanation),
    };
  }

  private scopeSpaces(scope: UsageExplainInput['scope']): Set<string> {
    if (scope.kind === 'space') {
      if (!getSpace(this.ledger, scope.spaceId)) throw notFound('space', scope.spaceId);
      return new Set([scope.spaceId]);
    }
    const env = getEnvironment(this.ledger, scope.environmentId);
    if (!env) throw notFound('environment', scope.environmentId);
    return new Set(listSpaces(this.ledger, env.id).map((s) => s.id));
  }
}

interface EventRow {
  seq: number;
  id: string;
  space_id: string;
  channel: Channel;
  direction: Direction;
  credits: number;
  occurred_at: number;
  plan_ref: number | null;
  identity: string | null;
  campaign: string | null;
}
