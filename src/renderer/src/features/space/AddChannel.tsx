import { useState } from 'react';
import type { Space } from '../../../../shared/api';
import { CHANNELS, type Channel } from '../../../../shared/domain';
import { useCommandMutation } from '../../api';

/** Admins add a delivery channel; an all-channels plan covers it at once, a channel-specific one does not. */
export function AddChannel({ space }: { space: Space }) {
  const available = CHANNELS.filter((channel) => !space.channels.some((existing) => existing.channel === channel));
  const [channel, setChannel] = useState<Channel | ''>('');
  const [bidirectional, setBidirectional] = useState(false);
  const [message, setMessage] = useState<{ kind: 'error' | 'done'; text: string } | null>(null);
  const add = useCommandMutation('spaces.addChannel');

  if (available.length === 0) return <p className="hint">Every channel is already in this space.</p>;
  const chosen = channel !== '' && available.includes(channel) ? channel : '';

  return (
    <form
      className="inline-form"
      aria-label="Add channel"
      onSubmit={(event) => {
        event.preventDefault();
        if (chosen === '') {
          setMessage({ kind: 'error', text: 'Choose a channel to add.' });
          return;
        }
        add.mutate(
          { spaceId: space.id, channel: chosen, bidirectional },
          {
            onSuccess: (result) => {
              setMessage(result.ok ? { kind: 'done', text: `${chosen} added.` } : { kind: 'error', text: result.error.message });
              if (result.ok) setChannel('');
            },
          },
        );
      }}
    >
      <div className="field">
        <label htmlFor="add-channel">Channel</label>
        <select id="add-channel" value={chosen} onChange={(event) => setChannel(event.target.value as Channel | '')}>
          <option value="">Choose a channel…</option>
          {available.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
      </div>
      <div className="field checkbox">
        <input id="add-channel-bidi" type="checkbox" checked={bidirectional} onChange={(event) => setBidirectional(event.target.checked)} />
        <label htmlFor="add-channel-bidi">Bidirectional (MO - MT)</label>
      </div>
      <button type="submit" disabled={add.isPending}>
        {add.isPending ? 'Adding…' : 'Add channel'}
      </button>
      {message ? (
        <p role={message.kind === 'error' ? 'alert' : 'status'} className={message.kind === 'error' ? 'error-text' : 'ok-text'}>
          {message.text}
        </p>
      ) : null}
    </form>
  );
}
