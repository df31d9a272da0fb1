import { useEffect, useId, useRef, type FormEvent, type ReactNode } from 'react';

/**
 * The frame of the add-on credit dialogs: a native modal <dialog> (focus trapped, Escape
 * cancels, focus back to the opener when it closes) holding one <form>, so Enter submits the
 * step shown and Escape leaves without changing anything.
 */
export function CreditDialog({
  title,
  onClose,
  onSubmit,
  children,
  actions,
}: {
  title: string;
  onClose: () => void;
  onSubmit: () => void;
  children: ReactNode;
  actions: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const ids = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) {
      dialog.showModal();
      dialog.querySelector<HTMLElement>('input, select, button[type="submit"]')?.focus();
    }
  }, []);
  function submit(event: FormEvent): void {
    event.preventDefault();
    onSubmit();
  }
  return (
    <dialog
      ref={ref}
      className="dialog credit-dialog"
      aria-labelledby={`${ids}-title`}
      onCancel={(event) => {
        event.preventDefault();
        ref.current?.close();
        onClose();
      }}
    >
      <form onSubmit={submit} noValidate>
        <h2 id={`${ids}-title`}>{title}</h2>
        <div className="dialog-body">{children}</div>
        <div className="actions">{actions}</div>
      </form>
    </dialog>
  );
}
