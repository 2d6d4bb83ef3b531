// imopenlines.config.list.get: the open lines with their settings and, on request, their queues.
import { atom, isYes, toInt, toList, upperKeys } from '../format.ts';
import type { Line } from '../seed-data.ts';
import {
  type MethodContext,
  MethodError,
  type MethodOutput,
  type MethodTable,
  type PortalState,
} from './portal-state.ts';

export function configMethods(portal: PortalState): MethodTable {
  return {
    'imopenlines.config.list.get': (ctx) => configList(portal, ctx),
  };
}

function lineFields(_portal: PortalState, line: Line): Record<string, unknown> {
  return {
    ID: String(line.id),
    ACTIVE: line.active ? 'Y' : 'N',
    LINE_NAME: line.name,
    TEMPORARY: 'N',
    XML_ID: null,
    LANGUAGE_ID: 'en',
    CRM: 'Y',
    CRM_CREATE: 'lead',
    QUEUE_TYPE: 'evenly',
    QUEUE_TIME: '60',
    NO_ANSWER_TIME: '60',
    CHECK_AVAILABLE: 'N',
    MAX_CHAT: '0',
    TYPE_MAX_CHAT: 'answered',
    WELCOME_MESSAGE: 'Y',
    VOTE_MESSAGE: 'Y',
    CLOSE_RULE: 'text',
    AUTO_CLOSE_RULE: 'none',
    AUTO_CLOSE_TIME: '14400',
    FULL_CLOSE_TIME: '10',
    AUTO_EXPIRE_TIME: '86400',
    WORKTIME_ENABLE: 'N',
    KPI_FIRST_ANSWER_TIME: '0',
    KPI_FURTHER_ANSWER_TIME: '0',
    SESSION_PRIORITY: '0',
    OPERATOR_DATA: 'profile',
    DATE_CREATE: atom(line.dateCreate),
    DATE_MODIFY: atom(line.dateCreate),
    MODIFY_USER_ID: '1',
  };
}

function configList(portal: PortalState, ctx: MethodContext): MethodOutput {
  const params = upperKeys(ctx.params);
  const query = params.PARAMS ?? {};
  const options = params.OPTIONS ?? {};
  if (typeof query !== 'object' || query === null || typeof options !== 'object' || options === null) {
    throw new MethodError('INVALID_FORMAT', 'PARAMS and OPTIONS must be arrays');
  }
  const q = query as Record<string, unknown>;
  for (const key of Object.keys(q)) {
    if (!['select', 'order', 'filter', 'limit', 'offset'].includes(key)) {
      throw new MethodError('INVALID_FORMAT', `Unsupported PARAMS key: ${key}`);
    }
  }
  const limit = q.limit === undefined ? 50 : toInt(q.limit);
  const offset = q.offset === undefined ? 0 : toInt(q.offset);
  if (!(limit >= 0) || !(offset >= 0))
    throw new MethodError('INVALID_FORMAT', 'limit and offset must be non-negative integers');
  let rows = portal.data.lines.map((line) => ({ line, fields: lineFields(portal, line) }));
  const filter = (q.filter ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(filter)) {
    const field = key.replace(/^[=!<>]+/, '').toUpperCase();
    if (!rows[0] || !(field in rows[0].fields)) throw new MethodError('INVALID_FORMAT', `Unknown filter field: ${key}`);
    rows = rows.filter((row) => String(row.fields[field]) === String(value));
  }
  const order = (q.order ?? {}) as Record<string, unknown>;
  const [orderField, orderDir] = Object.entries(order)[0] ?? ['ID', 'asc'];
  const dir = String(orderDir).toLowerCase();
  if (dir !== 'asc' && dir !== 'desc') throw new MethodError('INVALID_FORMAT', 'Order direction must be asc or desc');
  const sortKey = orderField.toUpperCase();
  rows.sort((a, b) => {
    const x = a.fields[sortKey];
    const y = b.fields[sortKey];
    const cmp = sortKey === 'ID' ? Number(x) - Number(y) : String(x).localeCompare(String(y));
    return dir === 'desc' ? -cmp : cmp;
  });
  const select = toList(q.select).map((field) => String(field).toUpperCase());
  const withQueue = isYes((options as Record<string, unknown>).QUEUE);
  const result = rows.slice(offset, offset + Math.min(limit, 200)).map(({ line, fields }) => {
    const row: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields)) {
      if (select.length === 0 || select.includes(key) || key === 'ID') row[key] = value;
    }
    if (withQueue) {
      row.QUEUE = line.queue.map(String);
      const users: Record<string, unknown> = {};
      for (const id of line.queue) {
        const op = portal.data.operators.find((item) => item.id === id);
        if (op) {
          users[id] = {
            USER_NAME: `${op.name} ${op.lastName}`,
            USER_WORK_POSITION: op.workPosition,
            USER_AVATAR: '',
            USER_AVATAR_ID: '0',
          };
        }
      }
      row.QUEUE_USERS_FIELDS = users;
    }
    return row;
  });
  return { result };
}
