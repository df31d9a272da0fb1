import {
  ApiFailure,
  type Caller,
  type EventName,
  type EventPayload,
  type Handlers,
  type SyncStatus,
} from '../../shared/api';
import { parseInstant } from '../../shared/engine';
import type { Services } from './index';

/**
 * The contract's commands over the services. The dispatcher has already checked the caller's
 * role and validated the input; the services' refusals are ApiFailures the dispatcher answers
 * with as they are. A handler tells the screens what changed.
 */

export interface HandlerOptions {
  /** Where events for the screens go (the host's event bus). */
  emit?: <E extends EventName>(name: E, payload: EventPayload<E>) => void;
  /** The network sync client, when the host runs one. */
  sync?: { syncNow(): Promise<unknown> };
  /** After the sync settings changed (the host's sync client syncs with them soon). */
  onSettingsChanged?: () => void;
}

function instant(text: string, field: string): number {
  const ms = parseInstant(text);
  if (ms === null) throw new ApiFailure('validation', `${field}: "${text}" is not a date and time (use ISO-8601, e.g. 2026-01-10T09:00:00Z).`);
  return ms;
}

export function createHandlers(services: Services, options: HandlerOptions = {}): Handlers {
  const emit = options.emit ?? (() => undefined);
  const changed = (scope: EventPayload<'ledger.changed'>['scope'], ids: { spaceId?: string; planId?: string } = {}): void =>
    emit('ledger.changed', { scope, ...ids });
  const planChanged = (spaceId: string, planId: string): void => {
    for (const scope of ['plans', 'history', 'notifications', 'usage', 'spaces'] as const) changed(scope, { spaceId, planId });
  };

  const handlers: Handlers = {
    'session.whoami': (_input, caller: Caller) => ({ actor: caller.actor, role: caller.role }),
    'environments.list': () => services.org.listEnvironments(),
    'spaces.list': ({ environmentId }) => services.org.listSpaces(environmentId),
    'spaces.get': ({ spaceId }) => services.org.getSpace(spaceId),
    'spaces.addChannel': ({ spaceId, channel, bidirectional }, caller) => {
      const space = services.org.addChannel(spaceId, channel, bidirectional, caller.actor);
      changed('spaces', { spaceId });
      return space;
    },
    'plans.list': ({ spaceId, includeDeleted }) => services.plans.list(spaceId, includeDeleted ?? false),
    'plans.get': ({ planId }) => services.plans.get(planId),
    'plans.create': ({ spaceId, config }, caller) => {
      const plan = services.plans.create(spaceId, config, caller.actor);
      planChanged(spaceId, plan.id);
      return plan;
    },
    'plans.edit': ({ planId, baseVersion, patch }, caller) => {
      const plan = services.plans.edit(planId, baseVersion, patch, caller.actor);
      planChanged(plan.spaceId, plan.id);
      return plan;
    },
    'plans.delete': ({ planId, baseVersion }, caller) => {
      const plan = services.plans.delete(planId, baseVersion, caller.actor);
      planChanged(plan.spaceId, plan.id);
      return plan;
    },
    'plans.addCredits': ({ planId, id, bucket, credits, expires, price }, caller) => {
      const credit = services.credits.addCredits({ planId, id, bucket, credits, expires, price }, caller.actor);
      planChanged(services.plans.get(planId).spaceId, planId);
      return credit;
    },
    'plans.chargeNow': ({ planId, confirm }, caller) => {
      const out = services.credits.chargeNow(planId, confirm, caller.actor);
      if (out.applied !== null) planChanged(services.plans.get(planId).spaceId, planId);
      return out;
    },
    'plans.credits': ({ planId }) => services.credits.list(planId),
    'plans.statement': ({ planId, period }) => services.statements.statement(planId, period),
    'plans.preview': ({ spaceId, config, planId }) => services.plans.preview(spaceId, config, planId),
    'drafts.list': ({ spaceId }) => services.drafts.list(spaceId),
    'drafts.save': ({ spaceId, draftId, name, config }, caller) => {
      const draft = services.drafts.save({ spaceId, draftId, name, config }, caller.actor);
      changed('drafts', { spaceId });
      return draft;
    },
    'drafts.delete': ({ draftId }) => {
      services.drafts.delete(draftId);
      changed('drafts');
      return { deleted: true as const };
    },
    'details.state': ({ planId, at }) => services.details.state(planId, at === undefined ? undefined : instant(at, 'at')),
    'details.usedByChannel': ({ planId, from, to }) => services.details.usedByChannel(planId, instant(from, 'from'), instant(to, 'to')),
    'details.usageSeries': ({ planId, from, to, groupBy }) =>
      services.details.usageSeries(planId, instant(from, 'from'), instant(to, 'to'), groupBy),
    'usage.report': (input) => services.usageAnalytics.report(input),
    'usage.explain': (input) => services.usageExplorer.explain(input),
    'history.list': ({ filter, cursor, limit }) => services.history.list(filter, cursor, limit),
    'history.exportCsv': ({ filter }) => services.history.exportCsv(filter, services.clock()),
    'notifications.list': ({ planId, spaceId }) => services.notifications.list({ planId, spaceId }),
    'usage.import': async ({ source }, caller) => {
      const importId = services.usage.newImportId();
      const onProgress = (p: EventPayload<'import.progress'>): void => emit('import.progress', p);
      try {
        return source.kind === 'path'
          ? await services.usage.importFile(source.path, caller.actor, onProgress, importId)
          : await services.usage.importText(source.fileName, source.text, caller.actor, onProgress, importId);
      } finally {
        // Also after an import that stopped partway: the batches it saved are in the ledger.
        changed('usage');
      }
    },
    'usage.record': ({ events }, caller) => {
      const decisions = services.usage.record(events, caller.actor);
      changed('usage');
      return { decisions };
    },
    'sync.status': () => services.sync.status(),
    'sync.now': async () => {
      const status = services.sync.status();
      if (status.state === 'not_configured') {
        throw new ApiFailure('validation', 'No central service is set: add its URL in Settings, then sync.');
      }
      if (options.sync === undefined) {
        throw new ApiFailure('internal', 'This console runs without a sync client, so it cannot sync now; your changes wait in the outbox.');
      }
      await options.sync.syncNow();
      const after: SyncStatus = services.sync.status();
      emit('sync.status', after);
      return after;
    },
    'sync.conflicts': ({ includeResolved }) => services.sync.conflicts(includeResolved ?? false),
    'sync.resolveConflict': ({ conflictId, keep }, caller) => {
      const conflict = services.sync.resolveConflict(conflictId, keep, caller.actor);
      planChanged(conflict.spaceId, conflict.planId);
      emit('sync.status', services.sync.status());
      return conflict;
    },
    'settings.get': () => services.sync.settings(),
    'settings.update': ({ centralUrl, token }) => {
      const settings = services.sync.updateSettings(centralUrl, token);
      options.onSettingsChanged?.();
      return settings;
    },
  };

  return handlers;
}
