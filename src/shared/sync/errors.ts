import { z } from 'zod';
import { issueRecordSchema } from './changes';

/**
 * Every error the central service answers with: a kind a client can act on, a sentence for
 * people, and for bad requests each field that is wrong. Never a stack trace.
 */
export const CENTRAL_ERROR_KINDS = [
  'validation',
  'unauthorized',
  'forbidden',
  'not_found',
  'change_id_reused',
  'usage_id_reused',
  'too_large',
  'limit_exceeded',
  'rate_limited',
  'unavailable',
  'internal',
] as const;

export const centralErrorSchema = z.object({
  error: z.object({
    kind: z.enum(CENTRAL_ERROR_KINDS),
    message: z.string(),
    issues: z.array(issueRecordSchema).optional(),
    /** For change_id_reused: the ids sent before with another payload. */
    changeIds: z.array(z.string()).optional(),
    /** For usage_id_reused: the usage ids sent before (or in the same request) with other content. */
    usageIds: z.array(z.string()).optional(),
  }),
});
export type CentralError = z.infer<typeof centralErrorSchema>;
export type CentralErrorKind = (typeof CENTRAL_ERROR_KINDS)[number];
