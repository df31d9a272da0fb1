import type { PlanConfig } from '../../shared/domain';
import { decodeConfig } from './codec';
import type { Ledger } from './ledger';

/** Draft plans kept for later review. Local only: never synced, never in the history log. */

export interface DraftRow {
  id: string;
  spaceId: string;
  name: string;
  config: PlanConfig;
  author: string;
  savedAt: number;
}

interface RawDraft {
  id: string;
  space_id: string;
  name: string;
  config: string;
  author: string;
  saved_at: number;
}

const toRow = (r: RawDraft): DraftRow => ({
  id: r.id,
  spaceId: r.space_id,
  name: r.name,
  config: decodeConfig(r.config),
  author: r.author,
  savedAt: r.saved_at,
});

export function listDrafts(ledger: Ledger, spaceId: string): DraftRow[] {
  return (ledger.stmt('SELECT * FROM drafts WHERE space_id = ? ORDER BY saved_at DESC, id').all(spaceId) as RawDraft[]).map(toRow);
}

export function getDraft(ledger: Ledger, id: string): DraftRow | null {
  const row = ledger.stmt('SELECT * FROM drafts WHERE id = ?').get(id) as RawDraft | undefined;
  return row ? toRow(row) : null;
}

export function upsertDraft(ledger: Ledger, draft: DraftRow): void {
  ledger
    .stmt(
      `INSERT INTO drafts (id, space_id, name, config, author, saved_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, config = excluded.config, author = excluded.author, saved_at = excluded.saved_at`,
    )
    .run(draft.id, draft.spaceId, draft.name, JSON.stringify(draft.config), draft.author, draft.savedAt);
}

export function deleteDraft(ledger: Ledger, id: string): boolean {
  return ledger.stmt('DELETE FROM drafts WHERE id = ?').run(id).changes === 1;
}
