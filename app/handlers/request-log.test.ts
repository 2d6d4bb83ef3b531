import { afterEach, describe, expect, it, vi } from 'vitest';
import { RequestLog } from './request-log.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('the host log of portal requests', () => {
  it('sums requests up once a minute instead of a line each, and says a block at once', () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const log = new RequestLog((line) => lines.push(line), false);
    for (let i = 0; i < 40; i++) {
      log.line(`→ p.example.com batch`);
      log.line(`← p.example.com batch 200 in 12 ms`);
    }
    log.line('✕ p.example.com batch: QUERY_LIMIT_EXCEEDED');
    log.line('✕ p.example.com is blocked (OVERLOAD_LIMIT): no further calls until the block is cleared');
    expect(lines).toEqual(['✕ p.example.com is blocked (OVERLOAD_LIMIT): no further calls until the block is cleared']);
    vi.advanceTimersByTime(60_000);
    expect(lines[1]).toBe(
      'portal requests since the last summary: 40 sent, 40 answered, 1 failed (--verbose shows each)',
    );
    vi.advanceTimersByTime(120_000);
    expect(lines).toHaveLength(2);
    log.line('… p.example.com imopenlines.session.start held for 900 ms (operating budget)');
    log.flush();
    expect(lines[2]).toMatch(/: 1 held \(/);
  });

  it('passes every line through with verbose', () => {
    const lines: string[] = [];
    const log = new RequestLog((line) => lines.push(line), true);
    log.line('→ p.example.com batch');
    log.line('← p.example.com batch 200 in 12 ms');
    expect(lines).toHaveLength(2);
  });
});
