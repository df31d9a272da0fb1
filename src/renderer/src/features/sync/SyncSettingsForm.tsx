import { useState, type FormEvent } from 'react';
import { useCommand, useCommandMutation } from '../../api';
import { ErrorState, Loading } from '../../ui';

/**
 * The central service's URL and token. The token is write-only: the console never sends it
 * back to the screens, only whether one is set; leaving the field empty keeps it.
 */
export function SyncSettingsForm() {
  const settings = useCommand('settings.get', {});
  const update = useCommandMutation('settings.update', ['settings.', 'sync.']);
  const [url, setUrl] = useState<string | null>(null);
  const [token, setToken] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  if (settings.isPending) return <Loading what="the sync settings" />;
  if (settings.isError) return <ErrorState error={settings.error} what="the sync settings" onRetry={() => void settings.refetch()} />;
  const shownUrl = url ?? settings.data.centralUrl ?? '';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const centralUrl = shownUrl.trim() === '' ? null : shownUrl.trim();
    const input = token === '' ? { centralUrl } : { centralUrl, token };
    update.mutate(input, {
      onSuccess: (result) => {
        if (result.ok) {
          setToken('');
          setUrl(null);
          setMessage({ ok: true, text: centralUrl === null ? 'Sync is off.' : 'Saved. The console syncs with this service now.' });
        } else setMessage({ ok: false, text: result.error.message });
      },
    });
  };

  return (
    <form className="form" onSubmit={submit} aria-labelledby="sync-settings-title">
      <h3 id="sync-settings-title">Settings</h3>
      <label>
        Central service URL
        <input type="url" value={shownUrl} placeholder="https://central.example.com" onChange={(e) => setUrl(e.target.value)} />
      </label>
      <label>
        Token {settings.data.hasToken ? <span className="hint">(one is set; leave empty to keep it)</span> : null}
        <input type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} />
      </label>
      <button type="submit" disabled={update.isPending}>
        {update.isPending ? 'Saving…' : 'Save settings'}
      </button>
      {message ? (
        <p role={message.ok ? 'status' : 'alert'} className={message.ok ? 'hint' : 'error-text'}>
          {message.text}
        </p>
      ) : null}
    </form>
  );
}
