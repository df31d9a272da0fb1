import { z } from 'zod';
import { ADMIN_AND_MANAGERS, ADMIN_AND_SUPPORT, ADMIN_ONLY, EVERYONE, type Role } from './roles';
import { addCreditsInputSchema, chargeNowInputSchema, chargeNowOutputSchema, planCreditSchema } from './credits';
import { planStatementSchema, statementInputSchema } from './statement';
import { usageExplainInputSchema, usageExplanationSchema } from './usage-explain';
import { usageReportInputSchema, usageReportSchema } from './usage-report';
import {
  channelSchema,
  creditPlanSchema,
  draftSchema,
  environmentSchema,
  groupingSchema,
  historyEntrySchema,
  historyFilterSchema,
  idSchema,
  importReportSchema,
  instantSchema,
  notificationSchema,
  planConfigSchema,
  planPatchSchema,
  planPreviewSchema,
  planStateSchema,
  roleSchema,
  spaceSchema,
  syncStatusSchema,
  usageEventSchema,
  usageSeriesSchema,
  usedByChannelSchema,
} from './schemas';

/**
 * The one contract between the screens and the main process. Each command is declared once:
 * its input and output schemas and the roles that may call it. The types, the preload's
 * allow-list, the renderer's client and the dispatcher all come from this table.
 */
export interface CommandSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  roles: readonly Role[];
  summary: string;
}

function command<I extends z.ZodType, O extends z.ZodType>(spec: CommandSpec<I, O>): CommandSpec<I, O> {
  return spec;
}

const none = z.object({}).strict();
const planRef = z.object({ planId: idSchema }).strict();

/**
 * A plan's local changes that the central service could not take, with both sides field by
 * field: `central` is the plan as the central service has it now (null when it has none),
 * `mine` is the plan as my set-aside changes left it.
 */
export const conflictSideSchema = z.object({
  config: planConfigSchema,
  deleted: z.boolean(),
  actor: z.string(),
  at: instantSchema,
  version: z.number().int().nullable(),
});
export const syncConflictSchema = z.object({
  id: z.string(),
  planId: idSchema,
  spaceId: idSchema,
  reason: z.enum(['outdated', 'rejected']),
  message: z.string(),
  detectedAt: instantSchema,
  /** How many of my changes were set aside. */
  changes: z.number().int(),
  central: conflictSideSchema.nullable(),
  mine: conflictSideSchema,
  fields: z.array(z.object({ field: z.string(), central: z.unknown(), mine: z.unknown(), differs: z.boolean() })),
  resolution: z.enum(['central', 'mine']).nullable(),
  resolvedAt: instantSchema.nullable(),
  resolvedBy: z.string().nullable(),
});
export type SyncConflict = z.infer<typeof syncConflictSchema>;

export const commands = {
  'session.whoami': command({
    input: none,
    output: z.object({ actor: z.string(), role: roleSchema }),
    roles: EVERYONE,
    summary: 'Who the console is acting as.',
  }),
  'environments.list': command({
    input: none,
    output: z.array(environmentSchema),
    roles: EVERYONE,
    summary: 'Every environment in the ledger.',
  }),
  'spaces.list': command({
    input: z.object({ environmentId: idSchema }).strict(),
    output: z.array(spaceSchema),
    roles: EVERYONE,
    summary: 'The spaces of an environment with their channels and uncovered channels.',
  }),
  'spaces.get': command({
    input: z.object({ spaceId: idSchema }).strict(),
    output: spaceSchema,
    roles: EVERYONE,
    summary: 'One space.',
  }),
  'spaces.addChannel': command({
    input: z.object({ spaceId: idSchema, channel: channelSchema, bidirectional: z.boolean() }).strict(),
    output: spaceSchema,
    roles: ADMIN_ONLY,
    summary: 'Add a delivery channel to a space.',
  }),
  'plans.list': command({
    input: z.object({ spaceId: idSchema, includeDeleted: z.boolean().optional() }).strict(),
    output: z.array(creditPlanSchema),
    roles: EVERYONE,
    summary: 'The credit plans of a space.',
  }),
  'plans.get': command({
    input: planRef,
    output: creditPlanSchema,
    roles: EVERYONE,
    summary: 'One credit plan.',
  }),
  'plans.create': command({
    input: z.object({ spaceId: idSchema, config: planConfigSchema }).strict(),
    output: creditPlanSchema,
    roles: ADMIN_ONLY,
    summary: 'Save a new credit plan (validated against the space’s other plans).',
  }),
  'plans.edit': command({
    input: z.object({ planId: idSchema, baseVersion: z.number().int().min(1), patch: planPatchSchema }).strict(),
    output: creditPlanSchema,
    roles: ADMIN_ONLY,
    summary: 'Change a plan; refused as a conflict when baseVersion is not the current version.',
  }),
  'plans.delete': command({
    input: z.object({ planId: idSchema, baseVersion: z.number().int().min(1) }).strict(),
    output: creditPlanSchema,
    roles: ADMIN_ONLY,
    summary: 'End a plan at once; its history stays.',
  }),
  'plans.addCredits': command({
    input: addCreditsInputSchema,
    output: planCreditSchema,
    roles: ADMIN_ONLY,
    summary: 'Give a live plan’s bucket add-on credits (a top-up) until the period’s end or until spent, with an optional price.',
  }),
  'plans.chargeNow': command({
    input: chargeNowInputSchema,
    output: chargeNowOutputSchema,
    roles: ADMIN_ONLY,
    summary: 'Charge now: preview the prorated credits and price for the current billing week; with confirm, apply them.',
  }),
  'plans.credits': command({
    input: planRef,
    output: z.array(planCreditSchema),
    roles: EVERYONE,
    summary: 'Every top-up and charge-now given to a plan, newest first (who, when, what, price).',
  }),
  'plans.statement': command({
    input: statementInputSchema,
    output: planStatementSchema,
    roles: ADMIN_AND_MANAGERS,
    summary: 'A plan’s statement for one period (or the current one): price, charge-nows, previous period’s metered charge, total, and its CSV.',
  }),
  'plans.preview': command({
    input: z
      .object({
        spaceId: idSchema,
        config: z.unknown(),
        /** When previewing an edit: the plan being edited. */
        planId: idSchema.optional(),
      })
      .strict(),
    output: planPreviewSchema,
    roles: EVERYONE,
    summary: 'Run a draft through the engine: issues, next boundaries, projected balances, edit impact.',
  }),
  'drafts.list': command({
    input: z.object({ spaceId: idSchema }).strict(),
    output: z.array(draftSchema),
    roles: EVERYONE,
    summary: 'Saved drafts of a space (never synced).',
  }),
  'drafts.save': command({
    input: z.object({ spaceId: idSchema, draftId: idSchema.optional(), name: z.string().min(1).max(200), config: planConfigSchema }).strict(),
    output: draftSchema,
    roles: ADMIN_AND_MANAGERS,
    summary: 'Keep a draft plan for later review.',
  }),
  'drafts.delete': command({
    input: z.object({ draftId: idSchema }).strict(),
    output: z.object({ deleted: z.literal(true) }),
    roles: ADMIN_AND_MANAGERS,
    summary: 'Discard a draft.',
  }),
  'details.state': command({
    input: z.object({ planId: idSchema, at: instantSchema.optional() }).strict(),
    output: planStateSchema,
    roles: EVERYONE,
    summary: 'Every bucket of a plan now (or at an instant).',
  }),
  'details.usedByChannel': command({
    input: z.object({ planId: idSchema, from: instantSchema, to: instantSchema }).strict(),
    output: usedByChannelSchema,
    roles: EVERYONE,
    summary: 'Credits used per channel in [from, to), with the grand total.',
  }),
  'details.usageSeries': command({
    input: z.object({ planId: idSchema, from: instantSchema, to: instantSchema, groupBy: groupingSchema }).strict(),
    output: usageSeriesSchema,
    roles: EVERYONE,
    summary: 'Credits used over time per channel, grouped by day, week or month in the plan’s zone.',
  }),
  'usage.report': command({
    input: usageReportInputSchema,
    output: usageReportSchema,
    roles: ADMIN_AND_SUPPORT,
    summary: 'A space’s or an environment’s usage over a calendar range: per channel over time, per identity and per campaign (top N + others).',
  }),
  'usage.explain': command({
    input: usageExplainInputSchema,
    output: usageExplanationSchema,
    roles: ADMIN_AND_SUPPORT,
    summary: 'Why one usage event of a space or environment was charged or refused: plan version, period, the credits that paid it, the balance before and after.',
  }),
  'history.list': command({
    input: z
      .object({
        filter: historyFilterSchema,
        cursor: z.string().max(500).nullable().optional(),
        limit: z.number().int().min(1).max(500).default(50),
      })
      .strict(),
    output: z.object({ entries: z.array(historyEntrySchema), nextCursor: z.string().nullable() }),
    roles: EVERYONE,
    summary: 'The credit history log, newest first, filtered, in keyset pages.',
  }),
  'history.exportCsv': command({
    input: z.object({ filter: historyFilterSchema }).strict(),
    output: z.object({ fileName: z.string(), rowCount: z.number().int(), csv: z.string() }),
    roles: EVERYONE,
    summary: 'The filtered history log as CSV.',
  }),
  'notifications.list': command({
    input: z.object({ planId: idSchema.optional(), spaceId: idSchema.optional() }).strict(),
    output: z.array(notificationSchema),
    roles: EVERYONE,
    summary: 'E-mails to Account Managers and their status.',
  }),
  'usage.import': command({
    input: z
      .object({
        source: z.discriminatedUnion('kind', [
          z.object({ kind: z.literal('path'), path: z.string().min(1) }),
          z.object({ kind: z.literal('text'), fileName: z.string().min(1), text: z.string() }),
        ]),
      })
      .strict(),
    output: importReportSchema,
    roles: ADMIN_ONLY,
    summary: 'Import usage events from CSV or JSON Lines; bad rows are reported by line and skipped.',
  }),
  'usage.record': command({
    // Without credits an event costs its channel's rate under the plan in force (SPEC §9.1):
    // the ledger resolves it, so no default of 1 here.
    input: z.object({ events: z.array(usageEventSchema.extend({ credits: z.number().int().min(1).optional() })).min(1).max(10_000) }).strict(),
    output: z.object({
      decisions: z.array(z.object({ id: idSchema, accepted: z.boolean(), reason: z.string().nullable() })),
    }),
    roles: ADMIN_ONLY,
    summary: 'Record usage events directly (idempotent by id).',
  }),
  'sync.status': command({
    input: none,
    output: syncStatusSchema,
    roles: EVERYONE,
    summary: 'Connected or offline, last sync, pending changes, pull progress.',
  }),
  'sync.now': command({
    input: none,
    output: syncStatusSchema,
    roles: ADMIN_ONLY,
    summary: 'Push the outbox and pull now.',
  }),
  'sync.conflicts': command({
    input: z.object({ includeResolved: z.boolean().optional() }).strict(),
    output: z.array(syncConflictSchema),
    roles: ADMIN_ONLY,
    summary: 'Changes the central service could not take, both versions side by side.',
  }),
  'sync.resolveConflict': command({
    input: z.object({ conflictId: z.string().min(1).max(100), keep: z.enum(['central', 'mine']) }).strict(),
    output: syncConflictSchema,
    roles: ADMIN_ONLY,
    summary: 'Keep the central version (mine is dropped, on record) or apply mine on top of it.',
  }),
  'settings.get': command({
    input: none,
    output: z.object({ centralUrl: z.string().nullable(), hasToken: z.boolean() }),
    roles: EVERYONE,
    summary: 'The central service this console syncs with.',
  }),
  'settings.update': command({
    input: z.object({ centralUrl: z.string().url().nullable(), token: z.string().min(1).max(500).nullable().optional() }).strict(),
    // tokenCleared: the URL changed without a new token, so the stored one was removed.
    output: z.object({ centralUrl: z.string().nullable(), hasToken: z.boolean(), tokenCleared: z.boolean() }),
    roles: ADMIN_ONLY,
    summary: 'Set the central service URL (https://, or http:// on this computer only) and token; a new URL without a token removes the stored one.',
  }),
} as const;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export const COMMAND_NAMES = Object.keys(commands) as CommandName[];

/** What a caller passes (before defaults are applied). */
export type CommandInput<N extends CommandName> = z.input<Commands[N]['input']>;
/** What a handler receives (validated, defaults applied). */
export type HandlerInput<N extends CommandName> = z.output<Commands[N]['input']>;
export type CommandOutput<N extends CommandName> = z.output<Commands[N]['output']>;

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(commands, name);
}
