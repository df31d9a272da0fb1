import { useState, type FormEvent } from 'react';
import { useCommand, useCommandMutation } from '../../api';
import { ErrorState, Loading } from '../../ui';

/**
 * The central service's URL and token. The token is write-only: the console never sends it
 * back to the screens, only whether one is set; leaving the field empty keeps it.
 */
export function SyncSettingsForm() {
  const settings = useCommand('settings.get', {});
  const update = useCommandMutation('settings.update');
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
          const cleared = result.value.tokenCleared ? ' The stored token was removed because the URL changed: enter the token for this service.' : '';
          setMessage({ ok: true, text: `${centralUrl === null ? 'Sync is off.' : 'Saved. The console syncs with this service now.'}${cleared}` });
        } else setMessage({ ok: false, text: result.error.message });
      },
    });
  };

  return (
    <form className="sync-settings" onSubmit={submit} aria-labelledby="sync-settings-title">
      <h3 id="sync-settings-title">Settings</h3>
      <div className="inline-form">
        <div className="field grow">
          <label htmlFor="sync-central-url">Central service URL</label>
          <input
            id="sync-central-url"
            type="url"
            value={shownUrl}
            placeholder="https://central.example.com"
            aria-describedby="sync-central-url-hint"
            onChange={(e) => setUrl(e.target.value)}
          />
          <p className="hint" id="sync-central-url-hint">
            Empty: sync is off, and changes wait here.
          </p>
        </div>
        <div className="field">
          <label htmlFor="sync-token">Token</label>
          <input id="sync-token" type="password" autoComplete="off" value={token} aria-describedby="sync-token-hint" onChange={(e) => setToken(e.target.value)} />
          <p className="hint" id="sync-token-hint">
            {settings.data.hasToken ? 'One is set; leave empty to keep it (a new URL needs its token again).' : 'Issued by the central service (npm run central:token there).'}
          </p>
        </div>
        <button type="submit" className="sync-settings-save" disabled={update.isPending}>
          {update.isPending ? 'Saving…' : 'Save settings'}
        </button>
      </div>
      {message ? (
        <p role={message.ok ? 'status' : 'alert'} className={message.ok ? 'hint' : 'error-text'}>
          {message.text}
        </p>
      ) : null}
    </form>
  );
}
