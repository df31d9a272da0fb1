import type { PlanConfig } from '../../shared/domain';
import type { PlanState } from '../../shared/engine';

/**
 * The engine's PlanState is plain data except for ±Infinity (a non-renewing period's end, the
 * clock of a state that has seen nothing), which JSON cannot carry. This adapter writes them
 * as strings and reads them back, so a stored state round-trips exactly.
 */
const POS = '+Infinity';
const NEG = '-Infinity';

export function encodeState(state: PlanState): string {
  return JSON.stringify(state, (_key, value: unknown) => {
    if (value === Infinity) return POS;
    if (value === -Infinity) return NEG;
    return value;
  });
}

export function decodeState(text: string): PlanState {
  return JSON.parse(text, (_key, value: unknown) => {
    if (value === POS) return Infinity;
    if (value === NEG) return -Infinity;
    return value;
  }) as PlanState;
}

/** Plan configurations are stored as the engine's parser produced them; read them back as such. */
export function decodeConfig(text: string): PlanConfig {
  return JSON.parse(text) as PlanConfig;
}
