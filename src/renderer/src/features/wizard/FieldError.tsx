/** An issue as the engine words it ("must be …"), as a sentence under its field ("Must be …"). */
function sentence(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/** The errors of one field, placed right under it and referenced by its aria-describedby. */
export function FieldError({ id, messages }: { id: string; messages: readonly string[] | undefined }) {
  if (!messages || messages.length === 0) return null;
  return (
    <div id={id} className="field-error">
      {messages.map((message) => (
        <p key={message}>{sentence(message)}</p>
      ))}
    </div>
  );
}

export function describedBy(id: string, messages: readonly string[] | undefined, hint?: string): string | undefined {
  const ids = [messages && messages.length > 0 ? id : null, hint ?? null].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}
