// "Start session" on one chat: pending state, the outcome in words, and the mapped error in an alert.
import { useId } from 'react';
import { usePortalAvailability } from '../connection/use-portal-availability.ts';
import { startSessionErrorMessage } from './session-errors.ts';
import { useStartSession } from './use-start-session.ts';

export function StartSessionButton({ profileId, chatId }: { profileId: string; chatId: number }) {
  const availability = usePortalAvailability(profileId);
  const start = useStartSession(profileId);
  const reasonId = useId();
  const disabled = start.isPending || !availability.available;

  let outcome: string | null = null;
  if (start.isSuccess && start.data.chatId === chatId) {
    outcome =
      start.data.outcome === 'started'
        ? `Session started (session ${start.data.sessionId}).`
        : `Session already active (session ${start.data.sessionId}); you joined it.`;
  }
  const failure = start.isError ? startSessionErrorMessage(start.error, chatId) : null;

  return (
    <div className="start-session">
      <button
        type="button"
        className="primary"
        disabled={disabled}
        aria-busy={start.isPending}
        title={availability.available ? undefined : (availability.reason ?? undefined)}
        aria-describedby={availability.available ? undefined : reasonId}
        onClick={() => start.mutate(chatId)}
      >
        {start.isPending ? 'Starting session…' : 'Start session'}
      </button>
      {availability.available ? null : (
        <span id={reasonId} className="disabled-reason">
          Needs the portal: {availability.reason}
        </span>
      )}
      <div role="status" className="outcome">
        {outcome}
      </div>
      {failure ? (
        <div role="alert" className="error-message">
          <strong>Could not start the session.</strong> {failure.message} <span className="code">({failure.code})</span>
        </div>
      ) : null}
    </div>
  );
}
