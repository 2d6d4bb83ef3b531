import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createDemoPortal } from './demo-portal.ts';
import { call, findChat, post } from './test-client.ts';

describe('request bucket', () => {
  it('answers 503 QUERY_LIMIT_EXCEEDED to a burst past 50 and counts a batch as one request', async () => {
    const portal = await createDemoPortal({ chats: 5, costSeconds: 0 });
    try {
      const batch = await call(portal, 'batch', {
        cmd: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`p${i}`, 'profile'])),
      });
      expect(batch.status).toBe(200);
      const started = performance.now();
      const burst = await Promise.all(Array.from({ length: 80 }, () => call(portal, 'profile')));
      // The bucket drains 2 a second while the burst is in flight, so a slow machine lets a few more through.
      const drained = Math.ceil(((performance.now() - started) / 1000) * 2);
      const refused = burst.filter((answer) => answer.status === 503);
      expect(burst.filter((answer) => answer.status === 200).length).toBeGreaterThanOrEqual(49);
      expect(refused.length).toBeGreaterThanOrEqual(80 - 49 - drained);
      expect(refused.every((answer) => answer.body.error === 'QUERY_LIMIT_EXCEEDED')).toBe(true);
      expect(portal.counters.queryLimitHits).toBe(refused.length);
    } finally {
      await portal.close();
    }
  });

  it('holds 250 on the enterprise plan', async () => {
    const portal = await createDemoPortal({ chats: 5, costSeconds: 0, plan: 'enterprise' });
    try {
      const burst = await Promise.all(Array.from({ length: 120 }, () => call(portal, 'profile')));
      expect(burst.every((answer) => answer.status === 200)).toBe(true);
    } finally {
      await portal.close();
    }
  });
});

describe('operating time', () => {
  // timeScale 300: the 600 s window passes in 2 s and a 1 s call sleeps 3.3 ms.
  const options = {
    chats: 50,
    timeScale: 300,
    operatingLimitSeconds: 2.5,
    costSeconds: { default: 0.01, 'imopenlines.session.start': 1 },
  };

  it('cuts a request off at 60 s: the commands that ran stay done, no later one starts, no answer comes', async () => {
    const portal = await createDemoPortal({ chats: 50, timeScale: 50, costSeconds: { default: 1.5 } });
    try {
      const ids = portal.chatIds().slice(0, 50);
      const cmd = Object.fromEntries(ids.map((id) => [`s${id}`, `imopenlines.session.start?CHAT_ID=${id}`]));
      await expect(call(portal, 'batch', { halt: 0, cmd })).rejects.toThrow();
      await sleep(200);
      // 60 portal seconds of 1.5 s commands: at most 40 ran (fewer on a busy machine), in order; the rest never did.
      const ran = portal.counters.calls['imopenlines.session.start'] ?? 0;
      expect(ran).toBeGreaterThan(10);
      expect(ran).toBeLessThanOrEqual(41);
      for (const id of ids.slice(ran)) expect(portal.counters.sessionStarts.get(id) ?? 0).toBe(0);
    } finally {
      await portal.close();
    }
  });

  it('keeps the budget per webhook and per application: one spending it does not hold the other', async () => {
    const portal = await createDemoPortal(options);
    try {
      const chatId = portal.chatIds()[0];
      for (let i = 0; i < 3; i++) await call(portal, 'imopenlines.session.start', { CHAT_ID: chatId });
      expect((await call(portal, 'imopenlines.session.start', { CHAT_ID: chatId })).status).toBe(429);
      const app = await post(`${portal.oauth.clientEndpoint}imopenlines.session.start`, {
        CHAT_ID: chatId,
        auth: portal.oauth.accessToken,
      });
      expect(app.status).toBe(200);
      expect(app.body.time.operating).toBe(1);
    } finally {
      await portal.close();
    }
  });

  it('refuses a method with 429 after it crosses its budget and lets it run again after operating_reset_at', async () => {
    const portal = await createDemoPortal(options);
    try {
      const chatId = portal.chatIds()[0];
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await call(portal, 'imopenlines.session.start', { CHAT_ID: chatId }));
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 429]);
      expect(answers[2]!.body.time.operating).toBe(3);
      expect(answers[3]!.body.error).toBe('OPERATION_TIME_LIMIT');
      expect((await call(portal, 'imopenlines.dialog.get', { CHAT_ID: chatId })).status).toBe(200);
      const resetAt: number = answers[2]!.body.time.operating_reset_at;
      expect(resetAt * 1000).toBeGreaterThan(Date.now());
      expect(resetAt * 1000).toBeLessThanOrEqual(Date.now() + 2000);
      expect(Math.abs(resetAt * 1000 - Math.round(resetAt * 1000))).toBeLessThan(1e-3);
      await sleep(resetAt * 1000 - Date.now() + 20);
      const resumed = await call(portal, 'imopenlines.session.start', { CHAT_ID: chatId });
      expect(resumed.status).toBe(200);
      // At least the oldest bucket left the window, so the sum fell below 3 before this call added 1.
      expect(resumed.body.time.operating).toBeLessThanOrEqual(3);
      expect(portal.counters.operatingLimitHits).toBe(1);
    } finally {
      await portal.close();
    }
  });

  it('bills each batch command to its own method and refuses the rest inside result_error', async () => {
    const portal = await createDemoPortal(options);
    try {
      const cmd = Object.fromEntries(
        portal
          .chatIds()
          .slice(0, 5)
          .map((id) => [`s${id}`, `imopenlines.session.start?CHAT_ID=${id}`]),
      );
      const answer = await call(portal, 'batch', { halt: 0, cmd });
      const { result, result_error: errors, result_time: times } = answer.body.result;
      expect(Object.keys(result)).toHaveLength(3);
      expect(Object.values(errors).map((error) => (error as { error: string }).error)).toEqual([
        'OPERATION_TIME_LIMIT',
        'OPERATION_TIME_LIMIT',
      ]);
      expect(
        Object.values(times)
          .map((time) => (time as { operating: number }).operating)
          .slice(0, 3),
      ).toEqual([1, 2, 3]);
      expect(answer.body.time.operating).toBeUndefined();
    } finally {
      await portal.close();
    }
  });

  it('bills the batch as one with batchBilling outer and copies its operating into every result_time', async () => {
    const portal = await createDemoPortal({ ...options, batchBilling: 'outer' });
    try {
      const cmd = Object.fromEntries(
        portal
          .chatIds()
          .slice(0, 5)
          .map((id) => [`s${id}`, `imopenlines.session.start?CHAT_ID=${id}`]),
      );
      const first = await call(portal, 'batch', { cmd });
      expect(Object.keys(first.body.result.result)).toHaveLength(5);
      expect(first.body.time.operating).toBe(5);
      const operatings = Object.values(first.body.result.result_time).map(
        (time) => (time as { operating: number }).operating,
      );
      expect(operatings).toEqual([5, 5, 5, 5, 5]);
      const second = await call(portal, 'batch', { cmd });
      expect([second.status, second.body.error]).toEqual([429, 'OPERATION_TIME_LIMIT']);
    } finally {
      await portal.close();
    }
  });

  it('sleeps the scaled cost of every command, so a batch takes as long as its commands', async () => {
    const portal = await createDemoPortal({ chats: 30, timeScale: 10, costSeconds: 0.2 });
    try {
      const chatId = findChat(portal, () => true);
      const cmd = Object.fromEntries(
        Array.from({ length: 10 }, (_, i) => [`d${i}`, `imopenlines.dialog.get?CHAT_ID=${chatId}`]),
      );
      const started = performance.now();
      await call(portal, 'batch', { cmd });
      expect(performance.now() - started).toBeGreaterThanOrEqual(195);
    } finally {
      await portal.close();
    }
  });
});
