import { create } from 'zustand';
import type { HistoryEntryAction } from '../../../../shared/api/constants';

/** What the reader typed in the history filters; dates are local calendar dates (YYYY-MM-DD). */
export interface HistoryFilterForm {
  fromDate: string;
  toDate: string;
  planId: string;
  action: HistoryEntryAction | '';
  actor: string;
}

export const EMPTY_FILTER: HistoryFilterForm = { fromDate: '', toDate: '', planId: '', action: '', actor: '' };

interface HistoryFilterStore {
  bySpace: Record<string, HistoryFilterForm>;
  set: (spaceId: string, patch: Partial<HistoryFilterForm>) => void;
  reset: (spaceId: string) => void;
}

/** Kept outside the screen so the filters survive a visit to a plan's details and back. */
export const useHistoryFilters = create<HistoryFilterStore>((set) => ({
  bySpace: {},
  set: (spaceId, patch) =>
    set((state) => ({ bySpace: { ...state.bySpace, [spaceId]: { ...(state.bySpace[spaceId] ?? EMPTY_FILTER), ...patch } } })),
  reset: (spaceId) => set((state) => ({ bySpace: { ...state.bySpace, [spaceId]: EMPTY_FILTER } })),
}));
