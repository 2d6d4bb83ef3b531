// The engine against the demo portal over real HTTP: the portal's own counters are the ground truth for what
// a supervisor would notice (no 503s, no session started twice, one token refresh, nothing sent while blocked).
import { afterEach, describe, expect, it } from 'vitest';
import { createDemoPortal } from '../../demo-portal/demo-portal.ts';
import type { DemoPortal, DemoPortalOptions } from '../../demo-portal/types.ts';
import { createBitrix24Client } from './client.ts';
import { Bitrix24Error } from './errors.ts';
import type { BatchCommand, Bitrix24Client, ClientOptions, OAuthTokens, ReconcileVerdict } from './types.ts';

const START = 'imopenlines.session.start';
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()?.();
});

async function portalWith(options: DemoPortalOptions): Promise<DemoPortal> {
  const portal = await createDemoPortal(options);
  cleanup.push(() => portal.close());
  return portal;
}

function webhookClient(portal: DemoPortal, extra: Partial<ClientOptions> = {}): Bitrix24Client {
  return createBitrix24Client({ credentials: { kind: 'webhook', webhookUrl: portal.webhookUrl }, ...extra });
}

function closedAccessibleChats(portal: DemoPortal, count: number): number[] {
  const ids = portal.chatIds().filter((id) => {
    const chat = portal.chat(id);
    return chat?.accessible === true && chat.status >= 60;
  });
  expect(ids.length).toBeGreaterThanOrEqual(count);
  return ids.slice(0, count);
}

const starts = (ids: number[]): BatchCommand[] =>
  ids.map((id) => ({ key: `s${id}`, method: START, params: { CHAT_ID: id } }));

/** The session id in `entity_data_1` (its sixth field), as a supervisor's client reads it. */
function sessionIdOf(dialog: unknown): number {
  const field = (dialog as { entity_data_1?: string }).entity_data_1 ?? '';
  return Number(field.split('|')[5]);
}

/** Settles session starts of unknown fate by reading each chat back: a new session id means the start ran. */
function readBackStarts(client: Bitrix24Client, before: Map<number, number>) {
  let count = 0;
  const reconcile = async (commands: readonly BatchCommand[]): Promise<Map<string, ReconcileVerdict>> => {
    const verdicts = new Map<string, ReconcileVerdict>();
    for (const command of commands) {
      const chatId = Number(command.params.CHAT_ID);
      for (let attempt = 0; attempt < 10 && !verdicts.has(command.key); attempt += 1) {
        try {
          const dialog = await client.call('imopenlines.dialog.get', { CHAT_ID: chatId }, { idempotent: true });
          const moved = sessionIdOf(dialog.result) !== before.get(chatId);
          verdicts.set(command.key, moved ? { status: 'ok', result: true } : { status: 'not-run' });
        } catch {
          // Faults hit reads too: ask again.
        }
      }
    }
    count += commands.length;
    return verdicts;
  };
  return { reconcile, reconciled: () => count };
}

describe('the engine against the demo portal', () => {
  it('keeps 20 concurrent callers inside the standard bucket: the portal sends no 503', async () => {
    const portal = await portalWith({ chats: 20, plan: 'standard' });
    const client = webhookClient(portal, { plan: 'standard' });
    const answers = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const results = [];
        for (let i = 0; i < 3; i += 1) results.push((await client.call('profile')).result);
        return results;
      }),
    );
    expect(answers.flat()).toHaveLength(60);
    expect(portal.counters.queryLimitHits).toBe(0);
    expect(portal.counters.requests).toBe(60);
  });

  it('holds a method at its operating budget until the portal’s reset time, while other methods go on', async () => {
    const portal = await portalWith({
      chats: 20,
      timeScale: 200,
      operatingLimitSeconds: 2,
      costSeconds: { 'imopenlines.dialog.get': 0.5, default: 0.001 },
    });
    const sent: Array<{ at: number; line: string }> = [];
    const client = webhookClient(portal, {
      operatingBudgetSeconds: 2,
      log: (line) => sent.push({ at: Date.now(), line }),
    });
    const chatId = closedAccessibleChats(portal, 1)[0] ?? 0;
    for (let i = 0; i < 4; i += 1) await client.call('imopenlines.dialog.get', { CHAT_ID: chatId });
    const held = client.limits.snapshot().methods.find((m) => m.method === 'imopenlines.dialog.get');
    expect(held?.operatingSeconds).toBeGreaterThanOrEqual(2);
    const resetAt = held?.resetAt ?? 0;
    expect(resetAt).toBeGreaterThan(Date.now());

    const finished: string[] = [];
    const heavy = client.call('imopenlines.dialog.get', { CHAT_ID: chatId }).then(() => finished.push('dialog.get'));
    const light = client.call('profile').then(() => finished.push('profile'));
    await Promise.all([heavy, light]);
    expect(finished).toEqual(['profile', 'dialog.get']);
    const resumed = sent.filter((entry) => entry.line.includes('→') && entry.line.includes('dialog.get'))[4];
    expect(resumed?.at).toBeGreaterThanOrEqual(resetAt);

    for (let i = 0; i < 5; i += 1) await client.call('imopenlines.dialog.get', { CHAT_ID: chatId });
    expect(portal.counters.calls['imopenlines.dialog.get']).toBe(10);
    // The client waited for the reset instead of hammering the portal with refused calls.
    expect(portal.counters.operatingLimitHits).toBeLessThanOrEqual(2);
  });

  it('learns what a call costs from the growth of time.operating where the portal answers processing: 0, and paces by it', async () => {
    // The docs' imopenlines examples all answer processing 0: the cost can only come from the level's growth.
    const portal = await portalWith({
      chats: 200,
      timeScale: 600,
      operatingLimitSeconds: 2,
      zeroProcessing: true,
      costSeconds: { 'imopenlines.dialog.get': 0.05, default: 0.001 },
    });
    const client = webhookClient(portal, { operatingBudgetSeconds: 2 });
    const ids = portal
      .chatIds()
      .filter((id) => portal.chat(id)?.accessible === true)
      .slice(0, 150);
    const single = await client.call<unknown>('imopenlines.dialog.get', { CHAT_ID: ids[0] });
    expect(single.time?.processing).toBe(0);
    const reads = ids.map((id) => ({ key: `r${id}`, method: 'imopenlines.dialog.get', params: { CHAT_ID: id } }));
    const report = await client.batch(reads, { idempotent: true });

    expect([...report.outcomes.values()].every((outcome) => outcome.status === 'ok')).toBe(true);
    // 150 reads at 40 a window cross the budget three times: each crossing may cost a refused call or two, not
    // the chunks a client that believes every call is free keeps sending into a spent budget.
    expect(portal.counters.operatingLimitHits).toBeLessThanOrEqual(15);
  });

  it('re-sends only the commands a batch could not run, starting every session exactly once', async () => {
    const portal = await portalWith({
      chats: 400,
      timeScale: 100,
      operatingLimitSeconds: 4,
      costSeconds: { [START]: 0.2, default: 0.001 },
    });
    const good = closedAccessibleChats(portal, 30);
    const denied = portal
      .chatIds()
      .filter((id) => portal.chat(id)?.accessible === false)
      .slice(0, 3);
    const groups = portal.groupChatIds().slice(0, 2);
    expect(denied).toHaveLength(3);
    expect(groups).toHaveLength(2);
    // The client believes in the cloud's 480 s: the portal's 4 s budget refuses part of a chunk.
    const client = webhookClient(portal);
    const report = await client.batch(starts([...good, ...denied, ...groups]));

    expect(portal.counters.operatingLimitHits).toBeGreaterThan(0);
    for (const id of good) {
      expect(report.outcomes.get(`s${id}`)?.status).toBe('ok');
      expect(portal.counters.sessionStarts.get(id)).toBe(1);
    }
    for (const id of denied) {
      expect(report.outcomes.get(`s${id}`)).toMatchObject({ status: 'failed', error: { code: 'ACCESS_DENIED' } });
      expect(portal.counters.sessionStarts.get(id) ?? 0).toBe(0);
    }
    for (const id of groups) {
      expect(report.outcomes.get(`s${id}`)).toMatchObject({ status: 'failed', error: { code: 'CHAT_TYPE' } });
    }
    // Every command ran exactly once on the portal: none that had run was sent again.
    expect(portal.counters.calls[START]).toBe(35);
    expect(report.requests).toBeGreaterThan(2);
  });

  it('settles requests with an unknown fate by reading each chat’s session, never starting one twice', async () => {
    const portal = await portalWith({ chats: 400, costSeconds: 0.001 });
    const targets = closedAccessibleChats(portal, 60);
    const before = new Map(targets.map((id) => [id, portal.chat(id)?.sessionId ?? 0]));
    const client = webhookClient(portal);
    portal.setFaults({
      errorAfterRate: 0.15,
      resetAfterRate: 0.15,
      errorBeforeRate: 0.05,
      resetBeforeRate: 0.05,
      seed: 3,
    });

    const { reconcile, reconciled } = readBackStarts(client, before);
    const report = await client.batch(starts(targets), { maxChunkSize: 10, reconcile });

    expect(reconciled()).toBeGreaterThan(0);
    for (const id of targets) {
      expect(report.outcomes.get(`s${id}`)?.status).toBe('ok');
      expect(portal.counters.sessionStarts.get(id)).toBe(1);
    }
  });

  it('a request the portal cuts off at 60 s: what ran is read back, the rest sent again, each session started once', async () => {
    // 1.5 s a start: a chunk of 50 would need 75 s. The portal runs 40 of them, then drops the connection.
    const portal = await portalWith({ chats: 400, timeScale: 50, costSeconds: { [START]: 1.5, default: 0.001 } });
    const targets = closedAccessibleChats(portal, 60);
    const before = new Map(targets.map((id) => [id, portal.chat(id)?.sessionId ?? 0]));
    const client = webhookClient(portal);
    const { reconcile, reconciled } = readBackStarts(client, before);
    // A caller that allows 120 s a request (the engine aims at 20 s): the cut-off decides.
    const report = await client.batch(starts(targets), { reconcile, targetRequestSeconds: 120 });

    expect(reconciled()).toBeGreaterThan(0);
    for (const id of targets) {
      expect(report.outcomes.get(`s${id}`)?.status).toBe('ok');
      expect(portal.counters.sessionStarts.get(id)).toBe(1);
    }
  });

  it('without a way to read state, fails ambiguous commands rather than risk starting a session twice', async () => {
    const portal = await portalWith({ chats: 400, costSeconds: 0.001 });
    const targets = closedAccessibleChats(portal, 60);
    portal.setFaults({ errorAfterRate: 0.3, resetAfterRate: 0.3, seed: 5 });
    const report = await webhookClient(portal).batch(starts(targets), { maxChunkSize: 10 });
    const failed = [...report.outcomes.values()].filter((o) => o.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    for (const outcome of failed) expect(outcome.status === 'failed' && outcome.error.category).toBe('ambiguous');
    for (const id of targets) expect(portal.counters.sessionStarts.get(id) ?? 0).toBeLessThanOrEqual(1);
  });

  it('shares one token refresh among concurrent calls that met expired_token', async () => {
    const portal = await portalWith({ chats: 20 });
    const rotated: OAuthTokens[] = [];
    const client = createBitrix24Client({
      credentials: {
        kind: 'oauth',
        clientEndpoint: portal.oauth.clientEndpoint,
        tokenUrl: portal.oauth.tokenUrl,
        clientId: portal.oauth.clientId,
        clientSecret: portal.oauth.clientSecret,
        tokens: { accessToken: portal.oauth.accessToken, refreshToken: portal.oauth.refreshToken },
      },
      onTokensRotated: (tokens) => {
        rotated.push(tokens);
      },
    });
    await client.call('profile');
    portal.expireAccessToken();
    const answers = await Promise.all(Array.from({ length: 12 }, () => client.call('profile')));
    expect(answers).toHaveLength(12);
    expect(portal.counters.refreshes).toBe(1);
    expect(rotated).toHaveLength(1);
    expect(rotated[0]?.accessToken).toBe(portal.oauth.accessToken);
    expect(rotated[0]?.refreshToken).toBe(portal.oauth.refreshToken);
  });

  it('asks the user to sign in again when the refresh token is refused', async () => {
    const portal = await portalWith({ chats: 20 });
    const client = createBitrix24Client({
      credentials: {
        kind: 'oauth',
        clientEndpoint: portal.oauth.clientEndpoint,
        tokenUrl: portal.oauth.tokenUrl,
        clientId: portal.oauth.clientId,
        clientSecret: portal.oauth.clientSecret,
        tokens: { accessToken: portal.oauth.accessToken, refreshToken: 'revoked-refresh-token' },
      },
    });
    portal.expireAccessToken();
    const error = await client.call('profile').then(
      () => expect.fail('the call should have been refused'),
      (reason: unknown) => reason as Bitrix24Error,
    );
    expect(error).toBeInstanceOf(Bitrix24Error);
    expect(error.code.toUpperCase()).toBe('INVALID_GRANT');
    expect(error.category).toBe('reauth');
    expect(portal.counters.refreshes).toBe(0);
  });

  it('stops every call to a portal under OVERLOAD_LIMIT until the block is cleared', async () => {
    const portal = await portalWith({ chats: 100, costSeconds: 0.001 });
    const client = webhookClient(portal);
    const heard: Array<string | undefined> = [];
    const unsubscribe = client.limits.subscribe((snapshot) => heard.push(snapshot.blocked?.code));
    portal.setFaults({ overload: true });
    const report = await client.batch(starts(closedAccessibleChats(portal, 30)));
    expect(report.stoppedBy?.code).toBe('OVERLOAD_LIMIT');
    expect([...report.outcomes.values()].some((o) => o.status === 'ok')).toBe(false);
    const requests = portal.counters.requests;
    await expect(client.call('profile')).rejects.toMatchObject({ code: 'OVERLOAD_LIMIT', category: 'blocked' });
    const second = await client.batch(starts([1]));
    expect(second.requests).toBe(0);
    expect(portal.counters.requests).toBe(requests);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(heard).toContain('OVERLOAD_LIMIT');
    unsubscribe();

    portal.setFaults({});
    client.clearBlock();
    await expect(client.call('profile')).resolves.toHaveProperty('result');
  });
});

describe('secrets', () => {
  it('never appear in a log line, an error, its cause chain or the limits snapshot', async () => {
    const portal = await portalWith({ chats: 100, costSeconds: 0.001 });
    const lines: string[] = [];
    const texts: string[] = [];
    const log = (line: string) => lines.push(line);
    const collect = (error: unknown) => {
      let current: unknown = error;
      while (current instanceof Error) {
        texts.push(current.message, String(current.stack));
        if (current instanceof Bitrix24Error) texts.push(current.description ?? '', JSON.stringify(current));
        current = current.cause;
      }
    };
    const hook = webhookClient(portal, { log, requestTimeoutMs: 2_000 });
    const oauth = createBitrix24Client({
      credentials: {
        kind: 'oauth',
        clientEndpoint: portal.oauth.clientEndpoint,
        tokenUrl: portal.oauth.tokenUrl,
        clientId: portal.oauth.clientId,
        clientSecret: portal.oauth.clientSecret,
        tokens: { accessToken: portal.oauth.accessToken, refreshToken: portal.oauth.refreshToken },
      },
      log,
    });
    const secrets = [
      new URL(portal.webhookUrl).pathname.split('/')[3] ?? 'missing',
      portal.oauth.accessToken,
      portal.oauth.refreshToken,
      portal.oauth.clientSecret,
    ];
    const targets = closedAccessibleChats(portal, 20);
    await hook.batch(starts(targets), { maxChunkSize: 5 });
    await hook.call('imopenlines.session.start', { CHAT_ID: 999_999_999 }).catch(collect);
    portal.setFaults({ resetAfterRate: 0.5, errorAfterRate: 0.5 });
    await hook.call('profile').catch(collect);
    await oauth.call('profile').catch(collect);
    portal.setFaults({ garbage: { status: 200, body: `<html>${portal.webhookUrl}</html>` } });
    await hook.call('profile').catch(collect);
    portal.setFaults({});
    portal.expireAccessToken();
    await oauth.call('profile');
    secrets.push(portal.oauth.accessToken, portal.oauth.refreshToken);
    const badOauth = createBitrix24Client({
      credentials: {
        kind: 'oauth',
        clientEndpoint: portal.oauth.clientEndpoint,
        tokenUrl: portal.oauth.tokenUrl,
        clientId: portal.oauth.clientId,
        clientSecret: portal.oauth.clientSecret,
        tokens: { accessToken: 'wrong-access-token-1234', refreshToken: 'wrong-refresh-token-1234' },
      },
      log,
    });
    await badOauth.call('profile').catch(collect);
    portal.setFaults({ overload: true });
    await hook.call('profile').catch(collect);
    const snapshots = [hook, oauth, badOauth].map((c) => JSON.stringify(c.limits.snapshot()));

    expect(lines.length).toBeGreaterThan(20);
    expect(texts.length).toBeGreaterThan(5);
    const everything = [...lines, ...texts, ...snapshots];
    for (const secret of [...secrets, 'wrong-access-token-1234']) {
      expect(secret.length).toBeGreaterThan(8);
      for (const text of everything) expect(text).not.toContain(secret);
    }
  });
});
