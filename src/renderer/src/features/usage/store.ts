import { create } from 'zustand';
import type { UsageReportInput } from '../../../../shared/api/usage-report';

export type UsageRange = UsageReportInput['range'];
export type Grouping = UsageReportInput['groupBy'];

/** What the reader chose on a Usage screen; `timeZone` null: the plans' zone, as the report picks it. */
export interface UsageFilters {
  range: UsageRange;
  customFrom: string;
  customTo: string;
  groupBy: Grouping;
  timeZone: string | null;
}

export const DEFAULT_FILTERS: UsageFilters = { range: 'this_month', customFrom: '', customTo: '', groupBy: 'day', timeZone: null };

interface UsageFilterStore {
  byScope: Record<string, UsageFilters>;
  set: (scopeKey: string, patch: Partial<UsageFilters>) => void;
}

/** Kept outside the screen so the filters survive a visit elsewhere and back. */
export const useUsageFilters = create<UsageFilterStore>((set) => ({
  byScope: {},
  set: (scopeKey, patch) => set((state) => ({ byScope: { ...state.byScope, [scopeKey]: { ...(state.byScope[scopeKey] ?? DEFAULT_FILTERS), ...patch } } })),
}));
