import { create } from 'zustand';
import type { Channel } from '../../../../shared/domain';

/** Credits the calculator hands to the wizard of a space: a pool, or an allocation per channel. */
export type CalculatorPrefill = { limit: 'all_channels'; credits: number } | { limit: 'channel_specific'; credits: Partial<Record<Channel, number>> };

interface PrefillStore {
  bySpace: Record<string, CalculatorPrefill>;
  offer: (spaceId: string, prefill: CalculatorPrefill) => void;
  /** The wizard took it: forget it, so the next New Credit Plan starts as usual. */
  take: (spaceId: string) => void;
}

/** "Start a plan with these credits": kept here until the space's New Credit Plan wizard opens and reads it. */
export const useCalculatorPrefill = create<PrefillStore>((set) => ({
  bySpace: {},
  offer: (spaceId, prefill) => set((state) => ({ bySpace: { ...state.bySpace, [spaceId]: prefill } })),
  take: (spaceId) =>
    set((state) => {
      const bySpace = { ...state.bySpace };
      delete bySpace[spaceId];
      return { bySpace };
    }),
}));
