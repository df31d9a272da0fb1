import { z } from 'zod';
import { ERROR_KINDS, type ApiError, type ApiIssue } from './envelope';

/** The envelope's failure as a schema (for tests and checks at the edges); envelope.ts has the type. */
export const issueSchema = z.object({ path: z.string(), message: z.string() });

export const apiErrorSchema = z.object({
  kind: z.enum(ERROR_KINDS),
  message: z.string(),
  /** Field-level problems, for inline errors next to the field. */
  issues: z.array(issueSchema).optional(),
  /** For conflicts: the current state the caller collided with. */
  current: z.unknown().optional(),
});

// The written-out types and the schemas must describe the same values, both ways.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const errorTypesAgree: Same<z.infer<typeof apiErrorSchema>, ApiError> = true;
const issueTypesAgree: Same<z.infer<typeof issueSchema>, ApiIssue> = true;
void errorTypesAgree;
void issueTypesAgree;
