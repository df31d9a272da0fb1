import { useState } from 'react';
import type { SyncConflict } from '../../../../shared/api';
import { fieldLabel, fieldValueLabel } from '../../../../shared/domain';
import { useCommand, useCommandMutation } from '../../api';
import { ConfirmDialog, ErrorState, formatInstant, Loading } from '../../ui';

function differing(conflict: SyncConflict): string {
  const count = conflict.fields.filter((field) => field.differs).length;
  return count === 1 ? '1 field differs, marked below.' : `${count} fields differ, marked below.`;
}

/**
 * Changes the central service could not take, each with the central version and mine side by
 * side, field by field. Keeping the central version drops mine (it stays in the history log,
 * marked as dropped); applying mine re-bases it on the central version and sends it again.
 */
export function ConflictList() {
  const conflicts = useCommand('sync.conflicts', {});
  const resolve = useCommandMutation('sync.resolveConflict');
  const [error, setError] = useState<string | null>(null);
  // Keeping the central version drops my changes (on record, but no longer applied): asked first.
  const [dropping, setDropping] = useState<SyncConflict | null>(null);

  if (conflicts.isPending) return <Loading what="conflicts" />;
  if (conflicts.isError) return <ErrorState error={conflicts.error} what="conflicts" onRetry={() => void conflicts.refetch()} />;
  if (conflicts.data.length === 0) return <p className="state state-empty">No conflicts with the central service.</p>;

  const decide = (conflictId: string, keep: 'central' | 'mine') =>
    resolve.mutate(
      { conflictId, keep },
      {
        onSuccess: (result) => {
          setError(result.ok ? null : result.error.message);
          setDropping(null);
        },
      },
    );

  return (
    <div>
      {error ? <p role="alert" className="error-text">{error}</p> : null}
      {conflicts.data.map((conflict) => (
        <article key={conflict.id} className="panel conflict" aria-labelledby={`conflict-${conflict.id}`}>
          <h3 id={`conflict-${conflict.id}`}>Plan {conflict.planId}</h3>
          <p>{conflict.message}</p>
          <p className="hint">
            Found {formatInstant(conflict.detectedAt)} · {conflict.changes} change{conflict.changes === 1 ? '' : 's'} of yours set aside
          </p>
          <p className="hint" id={`conflict-key-${conflict.id}`}>
            {differing(conflict)}
          </p>
          <table className="data-table conflict-table" aria-describedby={`conflict-key-${conflict.id}`}>
            <caption className="visually-hidden">Central version and yours, field by field</caption>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">
                  Central{conflict.central ? ` (version ${conflict.central.version}, ${conflict.central.actor})` : ''}
                </th>
                <th scope="col">Yours ({conflict.mine.actor})</th>
              </tr>
            </thead>
            <tbody>
              {conflict.fields.map((field) => (
                <tr key={field.field} className={field.differs ? 'differs' : undefined}>
                  <th scope="row">{fieldLabel(field.field)}</th>
                  <td>{conflict.central ? fieldValueLabel(field.field, field.central) : 'Not on the central service'}</td>
                  <td>
                    {fieldValueLabel(field.field, field.mine)}
                    {field.differs ? <> <span className="diff-tag">Differs</span></> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="actions">
            <button type="button" disabled={resolve.isPending} onClick={() => setDropping(conflict)}>
              Keep the central version
            </button>
            <button type="button" disabled={resolve.isPending || conflict.central === null} onClick={() => decide(conflict.id, 'mine')}>
              Apply mine on top of it
            </button>
          </div>
        </article>
      ))}
      <ConfirmDialog
        open={dropping !== null}
        title={dropping ? `Keep the central version of plan ${dropping.planId}?` : 'Keep the central version?'}
        confirmLabel="Keep the central version"
        busy={resolve.isPending}
        onCancel={() => setDropping(null)}
        onConfirm={() => {
          if (dropping) decide(dropping.id, 'central');
        }}
      >
        {dropping ? (
          <p>
            Your {dropping.changes === 1 ? 'change' : `${dropping.changes} changes`} to plan <strong>{dropping.planId}</strong> by {dropping.mine.actor} will not be applied.{' '}
            {dropping.changes === 1 ? 'It stays' : 'They stay'} in the history log, marked as dropped.
          </p>
        ) : null}
      </ConfirmDialog>
    </div>
  );
}
