// Which chats are loaded: the working view (open sessions and those closed in the last N days), or on demand the
// chats created between two days.
import { type FormEvent, useId, useState } from 'react';
import { type ChatScope, chatScopeSchema, DEFAULT_CLOSED_DAYS } from '../../../app/contract/index.ts';
import { calendarDayOf } from '../../shared/format.ts';

const CLOSED_DAY_CHOICES = [0, 1, 2, 7, 30, 90] as const;

interface ChatScopePickerProps {
  scope: ChatScope;
  onChange(scope: ChatScope): void;
  /** The working view's closed days, kept while a history range is shown. */
  closedDays: number;
}

function closedLabel(days: number): string {
  if (days === 0) return 'Open only';
  return days === 1 ? 'Open + closed today or yesterday' : `Open + closed in ${days} days`;
}

export function ChatScopePicker({ scope, onChange, closedDays }: ChatScopePickerProps) {
  const id = useId();
  const [askingRange, setAskingRange] = useState(false);
  const today = calendarDayOf(Date.now());
  const [from, setFrom] = useState(calendarDayOf(Date.now() - 30 * 86_400_000));
  const [to, setTo] = useState(today);
  const [error, setError] = useState<string | null>(null);

  if (scope.kind === 'history') {
    return (
      <fieldset className="chat-scope">
        <legend className="visually-hidden">Chats shown</legend>
        <span role="status">
          Older chats: created {scope.from} – {scope.to}
        </span>
        <button type="button" onClick={() => onChange({ kind: 'current', closedDays })}>
          Back to current chats
        </button>
      </fieldset>
    );
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = chatScopeSchema.safeParse({ kind: 'history', from, to });
    if (!parsed.success) {
      setError(`Pick a range of days: ${parsed.error.issues[0]?.message ?? 'not a valid range'}.`);
      return;
    }
    setError(null);
    setAskingRange(false);
    onChange(parsed.data);
  };

  return (
    <fieldset className="chat-scope">
      <legend className="visually-hidden">Chats shown</legend>
      <label className="field">
        <span>Chats</span>
        <select
          value={String(scope.closedDays)}
          onChange={(event) => onChange({ kind: 'current', closedDays: Number(event.target.value) })}
        >
          {CLOSED_DAY_CHOICES.map((days) => (
            <option key={days} value={days}>
              {closedLabel(days)}
              {days === DEFAULT_CLOSED_DAYS ? ' (default)' : ''}
            </option>
          ))}
        </select>
      </label>
      {askingRange ? (
        <form className="history-range" aria-label="Older chats" onSubmit={submit} noValidate>
          <label htmlFor={`${id}-from`}>Created from</label>
          <input id={`${id}-from`} type="date" max={today} value={from} onChange={(e) => setFrom(e.target.value)} />
          <label htmlFor={`${id}-to`}>to</label>
          <input id={`${id}-to`} type="date" max={today} value={to} onChange={(e) => setTo(e.target.value)} />
          <button type="submit">Show older chats</button>
          <button type="button" onClick={() => setAskingRange(false)}>
            Cancel
          </button>
          {error ? (
            <span role="alert" className="error-inline">
              {error}
            </span>
          ) : null}
        </form>
      ) : (
        <button type="button" onClick={() => setAskingRange(true)}>
          Older chats…
        </button>
      )}
    </fieldset>
  );
}
