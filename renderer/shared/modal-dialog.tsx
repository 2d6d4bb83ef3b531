// What every dialog of the console shares: it opens as a modal when it mounts, and its header names it and closes
// it. Closing goes through the <dialog> element, so Escape and the Close button both end in its `onClose`.
import { useCallback, useEffect, useRef } from 'react';

export function useModalDialog() {
  const dialogRef = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = dialogRef.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  const close = useCallback(() => dialogRef.current?.close(), []);
  return { dialogRef, close };
}

export function DialogHeader({ headingId, title, onClose }: { headingId: string; title: string; onClose(): void }) {
  return (
    <header className="dialog-header">
      <h2 id={headingId}>{title}</h2>
      <button type="button" onClick={onClose}>
        Close
      </button>
    </header>
  );
}
