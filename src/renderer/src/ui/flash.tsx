import { create } from 'zustand';

interface FlashStore {
  message: string | null;
  show: (message: string) => void;
  clear: () => void;
}

/** A one-off confirmation carried across a navigation (e.g. "plan saved" on the overview). */
export const useFlash = create<FlashStore>((set) => ({
  message: null,
  show: (message) => set({ message }),
  clear: () => set({ message: null }),
}));

export function FlashMessage() {
  const message = useFlash((state) => state.message);
  const clear = useFlash((state) => state.clear);
  if (!message) return null;
  return (
    <div className="flash" role="status">
      <p>{message}</p>
      <button type="button" className="link-button" onClick={clear} aria-label="Dismiss message">
        Dismiss
      </button>
    </div>
  );
}
