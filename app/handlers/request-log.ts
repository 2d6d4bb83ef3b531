// The engine's line per portal request, as a host log wants it: every line with `verbose`, otherwise one summary a
// minute of what was sent, answered, failed, held and repeated. A portal block (or its lifting) is said at once.
const SUMMARY_EVERY_MS = 60_000;

type Kind = 'sent' | 'answered' | 'failed' | 'held' | 'repeated';

/** The engine's lines start with these marks (see core/bitrix24/client.ts). */
const KINDS: ReadonlyArray<[string, Kind]> = [
  ['→', 'sent'],
  ['←', 'answered'],
  ['✕', 'failed'],
  ['…', 'held'],
  ['↻', 'repeated'],
];

export class RequestLog {
  private counts = new Map<Kind, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly log: (line: string) => void,
    private readonly verbose: boolean,
    private readonly everyMs = SUMMARY_EVERY_MS,
  ) {}

  line(text: string): void {
    const kind = KINDS.find(([mark]) => text.startsWith(mark))?.[1];
    if (this.verbose || kind === undefined || /\bblock/.test(text)) {
      this.log(text);
      return;
    }
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.everyMs);
      this.timer.unref?.();
    }
  }

  /** Says what is counted so far (at the minute, and when the host stops). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.counts.size === 0) return;
    const parts = KINDS.map(([, kind]) => [kind, this.counts.get(kind) ?? 0] as const)
      .filter(([, count]) => count > 0)
      .map(([kind, count]) => `${count} ${kind}`);
    this.counts = new Map();
    this.log(`portal requests since the last summary: ${parts.join(', ')} (--verbose shows each)`);
  }
}
