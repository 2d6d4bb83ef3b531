// The one wait primitive of a run: its lanes sleep until something they wait for changed (or a deadline passes).

/** Wakes every waiting lane at once; a lane re-checks what it waits for after each wake. */
export class Wake {
  private waiters: Array<() => void> = [];

  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Resolves on the next `notify`, or after `ms` when given. */
  wait(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
      this.waiters.push(done);
      // setTimeout fires at once past 2^31 ms; a hold that long is a wait for notify anyway.
      if (ms !== undefined) timer = setTimeout(done, Math.max(0, Math.min(ms, 2_147_000_000)));
    });
  }
}
