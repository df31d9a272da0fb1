import { create } from 'zustand';
import type { PlanForm } from './form';

interface WizardDraft {
  form: PlanForm;
  /** For an edit: the plan version the form was filled from. */
  baseVersion: number | null;
}

interface WizardStore {
  drafts: Record<string, WizardDraft>;
  start: (key: string, draft: WizardDraft) => void;
  update: (key: string, patch: Partial<PlanForm>) => void;
  discard: (key: string) => void;
}

/**
 * What was typed in the wizard lives here, not in the step components, so Back, a visit to
 * another screen and returning all keep it until it is saved or cancelled.
 */
export const useWizardStore = create<WizardStore>((set) => ({
  drafts: {},
  start: (key, draft) => set((state) => ({ drafts: { ...state.drafts, [key]: draft } })),
  update: (key, patch) =>
    set((state) => {
      const current = state.drafts[key];
      if (!current) return state;
      return { drafts: { ...state.drafts, [key]: { ...current, form: { ...current.form, ...patch } } } };
    }),
  discard: (key) =>
    set((state) => {
      const drafts = { ...state.drafts };
      delete drafts[key];
      return { drafts };
    }),
}));
