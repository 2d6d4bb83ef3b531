// The operator roster from imopenlines.v2.Operator.list: paged by the documented hasNextPage, named by user.get
// (the list carries no names) except where the lines' queues already named them.
import { afterEach, describe, expect, it } from 'vitest';
import { createBitrix24Client } from '../bitrix24/client.ts';
import { answer, type StubPortal, startStubPortal } from '../bitrix24/testing/stub-portal.ts';
import { operatorLabel, readOperatorRoster } from './directory.ts';

let portal: StubPortal | null = null;
afterEach(async () => {
  await portal?.close();
  portal = null;
});

describe('the operator roster', () => {
  it('reads every page and names the operators the queues did not, in one user.get', async () => {
    portal = await startStubPortal((request, res) => {
      if (request.method === 'imopenlines.v2.Operator.list') {
        const offset = Number(request.body.offset ?? 0);
        const operators = offset === 0 ? [{ userId: 4 }, { userId: 7 }] : [{ userId: 9 }];
        return answer(res, 200, { result: { operators, hasNextPage: offset === 0 } });
      }
      if (request.method === 'user.get') {
        const ids: number[] = request.body.FILTER.ID;
        const users = ids.map((id) => ({ ID: String(id), NAME: `Name${id}`, LAST_NAME: 'Last' }));
        return answer(res, 200, { result: users, total: users.length });
      }
      return answer(res, 404, { error: 'ERROR_METHOD_NOT_FOUND', error_description: '' });
    });
    const client = createBitrix24Client({ credentials: { kind: 'webhook', webhookUrl: portal.webhookUrl } });
    const known = new Map([
      [4, 'Fatima Haddad'],
      [9, operatorLabel(9)],
    ]);

    const roster = await readOperatorRoster(client, known);

    expect(roster).toEqual([
      { id: 4, name: 'Fatima Haddad' },
      { id: 7, name: 'Name7 Last' },
      { id: 9, name: 'Name9 Last' },
    ]);
    const lists = portal.requests.filter((request) => request.method === 'imopenlines.v2.Operator.list');
    expect(lists.map((request) => request.body.offset)).toEqual([0, 200]);
    const userGets = portal.requests.filter((request) => request.method === 'user.get');
    expect(userGets.map((request) => request.body.FILTER.ID)).toEqual([[7, 9]]);
  });

  it('is empty where the plan has no statistics reports (TARIFF_RESTRICTION)', async () => {
    portal = await startStubPortal((_request, res) =>
      answer(res, 400, { error: 'TARIFF_RESTRICTION', error_description: 'Statistics reports are not available' }),
    );
    const client = createBitrix24Client({ credentials: { kind: 'webhook', webhookUrl: portal.webhookUrl } });
    expect(await readOperatorRoster(client, new Map())).toEqual([]);
  });

  it('keeps the names it has where the webhook may not call user.get', async () => {
    portal = await startStubPortal((request, res) =>
      request.method === 'user.get'
        ? answer(res, 403, { error: 'INSUFFICIENT_SCOPE', error_description: '' })
        : answer(res, 200, { result: { operators: [{ userId: 4 }, { userId: 7 }], hasNextPage: false } }),
    );
    const client = createBitrix24Client({ credentials: { kind: 'webhook', webhookUrl: portal.webhookUrl } });
    expect(await readOperatorRoster(client, new Map([[4, 'Fatima Haddad']]))).toEqual([
      { id: 4, name: 'Fatima Haddad' },
      { id: 7, name: '' },
    ]);
  });
});
