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

/**
 * Operators the portal reports load for, with a name where the answer carries one; [] where the method is missing
 * or the plan or rights forbid it. The docs call the id `userId`; some portals answer `operatorId`.
 */
export async function readOperatorRoster(
  client: Bitrix24Client,
  signal?: AbortSignal,
): Promise<Array<{ id: number; name: string }>> {
  try {
    const { result } = await client.call('imopenlines.v2.Operator.list', {}, { idempotent: true, signal });
    const record = asRecord(result);
    const roster = new Map<number, string>();
    for (const raw of asList(record.operators ?? result)) {
      const item = asRecord(raw);
      const id = asInt(item.userId) || asInt(item.operatorId);
      const name = asText(item.name).trim();
      if (id > 0 && (name || !roster.has(id))) roster.set(id, name);
    }
    return [...roster].map(([id, name]) => ({ id, name }));
  } catch (error) {
    if (isBitrix24Error(error) && (error.category === 'bad-input' || error.category === 'permission')) return [];
    throw error;
  }
}

export function operatorLabel(id: number): string {
  return `Operator #${id}`;
}

export function lineLabel(id: number): string {
  return `Line #${id}`;
}
