import { describe, expect, it } from 'vitest';
import { createDemoPortal } from './demo-portal.ts';
import { call, findChat } from './test-client.ts';

describe('faults', () => {
  it('keeps the effect of a call answered 500 after it ran, and has none when refused before', async () => {
    const portal = await createDemoPortal({ chats: 50, costSeconds: 0 });
    try {
      const [before = 0, after = 0] = portal.chatIds().filter((id) => {
        const chat = portal.chat(id)!;
        return chat.accessible && chat.status < 60;
      });
      portal.setFaults({ errorBeforeRate: 1 });
      const refused = await call(portal, 'imopenlines.operator.another.finish', { CHAT_ID: before });
      portal.setFaults({ errorAfterRate: 1 });
      const ran = await call(portal, 'imopenlines.operator.another.finish', { CHAT_ID: after });
      expect([refused.status, refused.body.error, ran.status, ran.body.error]).toEqual([
        500,
        'INTERNAL_SERVER_ERROR',
        500,
        'INTERNAL_SERVER_ERROR',
      ]);
      expect(portal.chat(before)!.status).toBeLessThan(60);
      expect(portal.chat(after)!.status).toBe(60);
    } finally {
      await portal.close();
    }
  });

  it('drops the connection before or after the method runs', async () => {
    const portal = await createDemoPortal({ chats: 50, costSeconds: 0 });
    try {
      const [before = 0, after = 0] = portal
        .chatIds()
        .filter((id) => portal.chat(id)!.accessible && portal.chat(id)!.status >= 60);
      portal.setFaults({ resetBeforeRate: 1 });
      await expect(call(portal, 'imopenlines.session.start', { CHAT_ID: before })).rejects.toThrow();
      portal.setFaults({ resetAfterRate: 1 });
      await expect(call(portal, 'imopenlines.session.start', { CHAT_ID: after })).rejects.toThrow();
      expect(portal.counters.sessionStarts.has(before)).toBe(false);
      expect(portal.counters.sessionStarts.get(after)).toBe(1);
    } finally {
      await portal.close();
    }
  });

  it('draws faults from a seeded generator, so a run is reproducible', async () => {
    const portal = await createDemoPortal({ chats: 5, costSeconds: 0 });
    try {
      const run = async () => {
        portal.setFaults({ errorBeforeRate: 0.5, seed: 3 });
        const statuses = [];
        for (let i = 0; i < 12; i++) statuses.push((await call(portal, 'profile')).status);
        return statuses;
      };
      const first = await run();
      expect(first).toContain(500);
      expect(first).toContain(200);
      expect(await run()).toEqual(first);
    } finally {
      await portal.close();
    }
  });

  it('answers 503 OVERLOAD_LIMIT, garbage bodies and slow answers while set', async () => {
    const portal = await createDemoPortal({ chats: 5, costSeconds: 0 });
    try {
      portal.setFaults({ overload: true });
      const overload = await call(portal, 'profile');
      expect([overload.status, overload.body.error]).toEqual([503, 'OVERLOAD_LIMIT']);
      portal.setFaults({ garbage: { status: 502, body: '<html>Bad gateway</html>' } });
      const garbage = await fetch(`${portal.webhookUrl}profile`);
      expect([garbage.status, await garbage.text()]).toEqual([502, '<html>Bad gateway</html>']);
      portal.setFaults({ slowMs: 150 });
      const started = performance.now();
      expect((await call(portal, 'profile')).status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(145);
      portal.setFaults({});
      const chatId = findChat(portal, () => true);
      expect((await call(portal, 'imopenlines.dialog.get', { CHAT_ID: chatId })).status).toBe(200);
    } finally {
      await portal.close();
    }
  });
});
