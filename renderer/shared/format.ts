// Small formatting helpers shared by the views; every result is plain text.

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}

/** "12 s ago", "3 min ago", "2 h ago". */
export function formatAge(at: number, now: number): string {
  return `${formatDuration((now - at) / 1000)} ago`;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateTimeWithSeconds = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
// hourCycle h23, not hour12: false, which reads the hour after midnight as 24 in some locales (en-US among them).
const clock = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** A portal's ISO time in the local time zone, to the minute; text that is not a time is shown as it came. */
export function formatDateTime(iso: string | null): string {
  if (!iso) return '';
  const at = Date.parse(iso);
  return Number.isNaN(at) ? iso : dateTime.format(at);
}

/** A moment of this computer's clock (epoch ms), to the second. */
export function dateTimeOf(at: number): string {
  return dateTimeWithSeconds.format(at);
}

/** HH:MM:SS in the local time zone. */
export function clockTime(at: number): string {
  return clock.format(at);
}

/** A day of this computer's calendar as YYYY-MM-DD (what `<input type="date">` reads and writes). */
export function calendarDayOf(at: number): string {
  const date = new Date(at);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
