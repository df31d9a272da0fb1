/** What a history entry records about a plan. */
export const HISTORY_ACTIONS = ['created', 'updated', 'deleted'] as const;
export type HistoryActionName = (typeof HISTORY_ACTIONS)[number];
