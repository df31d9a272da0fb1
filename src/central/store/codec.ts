import type { PlanState } from '../../shared/engine';

/**
 * The engine's PlanState is plain data, but an open-ended period or a fresh clock may be
 * ±Infinity, which JSON cannot hold. States are stored as JSON text with those two values
 * spelled as markers and read back with the markers turned into numbers again, so a state
 * survives the database exactly whatever the engine uses for "no end".
 */
const POSITIVE = '+Infinity';
const NEGATIVE = '-Infinity';

export function encodePlanState(state: PlanState): string {
  return JSON.stringify(state, (_key, value: unknown) =>
    value === Infinity ? POSITIVE : value === -Infinity ? NEGATIVE : value,
  );
}

export function decodePlanState(text: string): PlanState {
  return JSON.parse(text, (_key, value: unknown) =>
    value === POSITIVE ? Infinity : value === NEGATIVE ? -Infinity : value,
  ) as PlanState;
}
