// Line names from `imopenlines.config.list.get` (with the queue's user fields for operator names) and the operator
// roster from `imopenlines.v2.Operator.list` where the portal has it (fact sheet §6.10, §7.4).
import { isBitrix24Error } from '../bitrix24/errors.ts';
import type { Bitrix24Client } from '../bitrix24/types.ts';
import { asInt, asList, asRecord, asText } from './lenient.ts';

export interface Directory {
  lines: Map<number, string>;
  operators: Map<number, string>;
}

const CONFIG_PAGE = 200;
/** Lines are a handful; this only stops a portal that keeps answering full pages. */
const MAX_CONFIG_PAGES = 50;

export async function readLines(client: Bitrix24Client, signal?: AbortSignal): Promise<Directory> {
  const lines = new Map<number, string>();
  const operators = new Map<number, string>();
  for (let page = 0; page < MAX_CONFIG_PAGES; page++) {
    const { result } = await client.call(
      'imopenlines.config.list.get',
      {
        PARAMS: { select: ['ID', 'LINE_NAME'], order: { ID: 'asc' }, limit: CONFIG_PAGE, offset: page * CONFIG_PAGE },
        OPTIONS: { QUEUE: 'Y' },
      },
      { idempotent: true, signal },
    );
    const items = asList(result);
    for (const item of items) {
      const line = asRecord(item);
      const id = asInt(line.ID);
      if (id > 0) lines.set(id, asText(line.LINE_NAME) || `Line ${id}`);
      for (const [uid, fields] of Object.entries(asRecord(line.QUEUE_USERS_FIELDS))) {
        const name = asText(asRecord(fields).USER_NAME).trim();
        const userId = asInt(uid);
        if (userId > 0 && name) operators.set(userId, name);
      }
      for (const uid of asList(line.QUEUE)) {
        const userId = asInt(uid);
        if (userId > 0 && !operators.has(userId)) operators.set(userId, operatorLabel(userId));
      }
    }
    if (items.length < CONFIG_PAGE) break;
  }
  return { lines, operators };
}

/** Operators per page of `imopenlines.v2.Operator.list` (the docs allow 1–200). */
const ROSTER_PAGE = 200;
/** A line has a handful of operators; this only stops a portal that keeps saying `hasNextPage`. */
const MAX_ROSTER_PAGES = 50;
/** Users per `user.get` call: the portal answers at most 50 a page. */
const USER_PAGE = 50;

/**
 * Operators the portal reports load for (`imopenlines.v2.Operator.list`, paged), named from `known` or else by
 * `user.get` (the list carries no names); [] where the method is missing or the plan or rights forbid it. The docs
 * call the id `userId`; some portals answer `operatorId`.
 */
export async function readOperatorRoster(
  client: Bitrix24Client,
  known: ReadonlyMap<number, string>,
  signal?: AbortSignal,
): Promise<Array<{ id: number; name: string }>> {
  const ids = new Set<number>();
  try {
    for (let page = 0; page < MAX_ROSTER_PAGES; page++) {
      const { result } = await client.call(
        'imopenlines.v2.Operator.list',
        { limit: ROSTER_PAGE, offset: page * ROSTER_PAGE },
        { idempotent: true, signal },
      );
      const record = asRecord(result);
      for (const raw of asList(record.operators ?? result)) {
        const item = asRecord(raw);
        const id = asInt(item.userId) || asInt(item.operatorId);
        if (id > 0) ids.add(id);
      }
      if (record.hasNextPage !== true) break;
    }
  } catch (error) {
    if (isBitrix24Error(error) && (error.category === 'bad-input' || error.category === 'permission')) return [];
    throw error;
  }
  const names = await userNames(
    client,
    [...ids].filter((id) => !known.has(id) || known.get(id) === operatorLabel(id)),
    signal,
  );
  return [...ids].map((id) => ({ id, name: names.get(id) ?? known.get(id) ?? '' }));
}

/** Names of users by id through `user.get` (FILTER[ID], 50 a call); none where the webhook lacks the user scope. */
async function userNames(client: Bitrix24Client, ids: number[], signal?: AbortSignal): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  try {
    for (let at = 0; at < ids.length; at += USER_PAGE) {
      const { result } = await client.call(
        'user.get',
        { FILTER: { ID: ids.slice(at, at + USER_PAGE) } },
        { idempotent: true, signal },
      );
      for (const raw of asList(result)) {
        const user = asRecord(raw);
        const name = [asText(user.NAME), asText(user.LAST_NAME)].join(' ').trim();
        if (asInt(user.ID) > 0 && name) names.set(asInt(user.ID), name);
      }
    }
  } catch (error) {
    if (!isBitrix24Error(error) || (error.category !== 'permission' && error.category !== 'bad-input')) throw error;
  }
  return names;
}

export function operatorLabel(id: number): string {
  return `Operator #${id}`;
}

export function lineLabel(id: number): string {
  return `Line #${id}`;
}
