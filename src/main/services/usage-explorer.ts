import { describeExplanation } from '../../shared/engine';
import { ApiFailure } from '../../shared/api';
import type { UsageExplainInput, UsageExplanationView } from '../../shared/api/usage-explain';
import type { Channel, Direction } from '../../shared/domain';
import type { CentralUsageExplanation } from '../../shared/sync';
import { currentAttribution, explainEvent } from '../accounts';
import { channelSql, directionSql, getEnvironment, getSpace, iso, listSpaces, notFound, type Ledger } from '../ledger';
import { explainCentralEvent, type SyncService } from '../sync';

/**
 * The event explorer ("Look up a usage event"): why one event of a space or environment was
 * charged or refused. The ledger keeps no explanation: it replays the deciding plan from its
 * last checkpoint before the event (at most one UTC day of that plan's events) through the
 * engine's explanation — the replay reads already rely on, so it decides as the import did.
 *
 * Events the messaging platform sent to the central service arrive here only as 15-minute
 * totals. An id the ledger does not hold is therefore asked of the central service, when sync is
 * configured: it replays its own plan the same way and answers with the engine's explanation,
 * shown as "decided by the central service". It is asked for the environment of the scope
 * (usage ids are unique per environment there), and its answer counts only when the event is of
 * a space in the scope.
 */
/** How long the explorer waits for the central service before saying it could not be reached. */
const CENTRAL_TIMEOUT_MS = 8_000;

export class UsageExplorerService {
  constructor(
    private readonly ledger: Ledger,
    private readonly sync: SyncService | null = null,
  ) {}

  async explain(input: UsageExplainInput): Promise<UsageExplanationView> {
    const local = this.explainHere(input);
    return local ?? this.explainAtCentral(input);
  }

  /** The ledger's explanation of an event it holds (null: not in this console). */
  explainHere(input: UsageExplainInput): UsageExplanationView | null {
    const { ledger } = this;
    const spaceIds = this.scopeSpaces(input.scope);
    const row = ledger
      .stmt(
        `SELECT e.seq, e.id, s.space_id, ${channelSql('e.kind')} AS channel, ${directionSql('e.kind')} AS direction, e.credits, e.occurred_at,
           e.plan_ref, e.identity, e.campaign
         FROM usage_events e JOIN space_refs s ON s.ref = e.space_ref WHERE e.id = ?`,
      )
      .get(input.eventId) as EventRow | undefined;
    if (row === undefined || !spaceIds.has(row.space_id)) return null;
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
    if (row.plan_ref === null) return { event, plan: null, explain: null, decidedBy: 'console' };
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
      decidedBy: 'console',
    };
  }

  private async explainAtCentral(input: UsageExplainInput): Promise<UsageExplanationView> {
    const where = input.scope.kind === 'space' ? 'this space' : 'this environment';
    const central = this.sync?.endpoint() ?? null;
    if (central === null) throw new ApiFailure('not_found', `No usage event with id ${input.eventId} in ${where}.`);
    const unreachable = (why: string) =>
      new ApiFailure('not_found', `No usage event with id ${input.eventId} in ${where} on this console, and the central service could not be reached: ${why}`);
    if ('problem' in central) throw unreachable(central.problem);
    const spaceIds = this.scopeSpaces(input.scope);
    const environmentId = input.scope.kind === 'environment' ? input.scope.environmentId : getSpace(this.ledger, input.scope.spaceId)!.environmentId;
    let answer: CentralUsageExplanation | null;
    try {
      answer = await explainCentralEvent({ ...central, timeoutMs: CENTRAL_TIMEOUT_MS }, environmentId, input.eventId);
    } catch (error) {
      throw unreachable(error instanceof Error ? error.message : String(error));
    }
    if (answer === null || !spaceIds.has(answer.event.spaceId)) {
      throw new ApiFailure('not_found', `No usage event with id ${input.eventId} in ${where}, on this console or at the central service.`);
    }
    const { event } = answer;
    return {
      event: {
        id: event.id,
        spaceId: event.spaceId,
        spaceName: getSpace(this.ledger, event.spaceId)?.name ?? event.spaceId,
        channel: event.channel,
        direction: event.direction,
        credits: event.credits,
        occurredAt: event.occurredAt,
        decidedAt: event.decidedAt,
        // The central service keeps neither: the platform's events are counted, not profiled.
        identity: null,
        campaign: null,
      },
      plan: answer.plan,
      explain: answer.explain,
      decidedBy: 'central',
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
