import type { Draft } from '../../shared/api';
import type { PlanConfig } from '../../shared/domain';
import { parsePlanConfig } from '../../shared/engine';
import { deleteDraft, getDraft, getSpace, iso, listDrafts, newId, upsertDraft, type DraftRow, type Ledger } from '../ledger';
import { ApiFailure } from '../../shared/api';
import { notFound } from '../ledger';

/** Drafts kept for later review: local, never synced, never in the history log. */
export class DraftsService {
  constructor(
    private readonly ledger: Ledger,
    private readonly clock: () => number,
  ) {}

  list(spaceId: string): Draft[] {
    if (!getSpace(this.ledger, spaceId)) throw notFound('space', spaceId);
    return listDrafts(this.ledger, spaceId).map(toDraft);
  }

  save(input: { spaceId: string; draftId?: string; name: string; config: PlanConfig }, author: string): Draft {
    const parsed = parsePlanConfig(input.config, '');
    if (!parsed.ok) throw new ApiFailure('validation', 'A draft must be a complete plan configuration.', { issues: parsed.issues });
    const name = input.name.trim();
    if (name.length === 0) throw new ApiFailure('validation', 'A draft needs a name.');
    return this.ledger.transaction(() => {
      if (!getSpace(this.ledger, input.spaceId)) throw notFound('space', input.spaceId);
      if (input.draftId !== undefined) {
        const existing = getDraft(this.ledger, input.draftId);
        if (!existing) throw notFound('draft', input.draftId);
        if (existing.spaceId !== input.spaceId) throw new ApiFailure('validation', `Draft ${input.draftId} belongs to another space.`);
      }
      const row: DraftRow = { id: input.draftId ?? newId('DR'), spaceId: input.spaceId, name, config: parsed.value, author, savedAt: this.clock() };
      upsertDraft(this.ledger, row);
      return toDraft(row);
    });
  }

  delete(draftId: string): void {
    const deleted = this.ledger.transaction(() => deleteDraft(this.ledger, draftId));
    if (!deleted) throw notFound('draft', draftId);
  }
}

function toDraft(row: DraftRow): Draft {
  return { id: row.id, spaceId: row.spaceId, name: row.name, config: row.config, author: row.author, savedAt: iso(row.savedAt) };
}
