import type { KeyboardEvent } from 'react';
import type { Space } from '../../../../shared/api';
import { isPositiveCredits } from '../../../../shared/engine';
import type { FieldErrors, PlanForm } from './form';

/** What every part of step 1 gets: the form as typed, how to change it, and the errors to show. */
export interface PartProps {
  form: PlanForm;
  update: (patch: Partial<PlanForm>) => void;
  /** The errors of the last check and of the last Add, merged. */
  errors: FieldErrors;
}

/** What the credit parts add: the space (its channels) and how to report an Add's own errors. */
export interface CreditsPartProps extends PartProps {
  space: Space;
  setAddErrors: (errors: FieldErrors) => void;
}

export function parseCredits(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return isPositiveCredits(value) ? value : null;
}

/** Enter in an Add row adds, rather than submitting the whole form. */
export function onEnter(action: () => void) {
  return (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      action();
    }
  };
}
