import https from 'node:https';
import { describe, expect, it } from 'vitest';
import { createDemoPortal } from './demo-portal.ts';
import { ALL_STATUSES, HOSTILE_NAMES } from './seed-data.ts';
import { call } from './test-client.ts';

describe('seeded data', () => {
  it('serves hostile and multi-script visitor names exactly as stored', async () => {
    const portal = await createDemoPortal({ costSeconds: 0 });
    try {
      const names = portal.chatIds().map((id) => portal.chat(id)!.visitorName);
      for (const hostile of HOSTILE_NAMES) expect(names).toContain(hostile);
      expect(names.some((name) => name.length === 300)).toBe(true);
      for (const script of [/[\u0400-\u04ff]/, /[\u4e00-\u9fff]/, /[\u0600-\u06ff]/, /\p{Extended_Pictographic}/u]) {
        expect(names.some((name) => script.test(name))).toBe(true);
      }
      const scriptChat = portal.chatIds().find((id) => portal.chat(id)!.visitorName === '<script>alert(1)</script>')!;
      const dialog = await call(portal, 'imopenlines.dialog.get', { CHAT_ID: scriptChat });
      expect(dialog.text).toContain('<script>alert(1)<\\/script>');
      expect(dialog.body.result.name.startsWith('<script>alert(1)</script>')).toBe(true);
    } finally {
      await portal.close();
    }
  });

  it('covers every session status and reproduces the same chats for the same seed', async () => {
    const [a, b, c] = await Promise.all([
      createDemoPortal({ chats: 40, seed: 5 }),
      createDemoPortal({ chats: 40, seed: 5 }),
      createDemoPortal({ chats: 40, seed: 6 }),
    ]);
    try {
      const view = (portal: typeof a) =>
        portal.chatIds().map((id) => {
          const chat = portal.chat(id)!;
          return [chat.visitorName, chat.status, chat.sessionId, chat.lineId, chat.operatorId];
        });
      expect(view(b)).toEqual(view(a));
      expect(view(c)).not.toEqual(view(a));
      const statuses = new Set(a.chatIds().map((id) => a.chat(id)!.status));
      for (const status of ALL_STATUSES) expect(statuses).toContain(status);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('starts with 50,000 chats in under a second and pages through them', async () => {
    const started = performance.now();
    const portal = await createDemoPortal({ chats: 50_000, costSeconds: 0 });
    const elapsed = performance.now() - started;
    try {
      expect(elapsed).toBeLessThan(1000);
      expect(portal.chatIds()).toHaveLength(50_000);
      const page = await call(portal, 'im.recent.list', { ONLY_OPENLINES: 'Y', OFFSET: 200, LIMIT: 500 });
      expect(page.body.result.items).toHaveLength(200);
      const sessions = await call(portal, 'imopenlines.v2.Session.list', { offset: 10_000, limit: 200 });
      expect(sessions.body.result.sessions).toHaveLength(200);
      expect(sessions.body.result.hasNextPage).toBe(true);
    } finally {
      await portal.close();
    }
  });

  it('speaks https with its own certificate when tls is on', async () => {
    const portal = await createDemoPortal({ chats: 5, tls: true, costSeconds: 0 });
    try {
      expect(portal.webhookUrl.startsWith('https://127.0.0.1:')).toBe(true);
      const body = await new Promise<string>((resolve, reject) => {
        const req = https.request(
          `${portal.webhookUrl}profile`,
          { method: 'POST', ca: portal.caCertificatePem },
          (res) => {
            let text = '';
            res.on('data', (chunk) => {
              text += chunk;
            });
            res.on('end', () => resolve(text));
          },
        );
        req.on('error', reject);
        req.end();
      });
      expect(JSON.parse(body).result.ID).toBe('1');
    } finally {
      await portal.close();
    }
  });
});
