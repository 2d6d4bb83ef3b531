import { toInt, toList, upperKeys } from '../format.ts';
import type { MethodContext, MethodOutput, MethodTable, PortalState } from './portal-state.ts';

export function userMethods(portal: PortalState): MethodTable {
  return {
    profile: () => profile(portal),
    'user.get': (ctx) => userGet(portal, ctx),
  };
}

/** user.get by `ID` or `FILTER[ID]` (one id or a list): the portal's users, 50 a page. */
function userGet(portal: PortalState, ctx: MethodContext): MethodOutput {
  const params = upperKeys(ctx.params);
  const filter = upperKeys((params.FILTER ?? {}) as Record<string, unknown>);
  const wanted = [...toList(params.ID), ...toList(filter.ID)].map(toInt).filter((id) => id > 0);
  const users = portal.data.operators
    .filter((op) => wanted.length === 0 || wanted.includes(op.id))
    .map((op) => ({
      ID: String(op.id),
      ACTIVE: true,
      NAME: op.name,
      LAST_NAME: op.lastName,
      WORK_POSITION: op.workPosition,
    }));
  return { result: users.slice(0, 50), total: users.length };
}

function profile(portal: PortalState): MethodOutput {
  const op = portal.data.operators.find((item) => item.id === portal.callerId);
  return {
    result: {
      ID: String(portal.callerId),
      ADMIN: true,
      NAME: op?.name ?? 'Demo',
      LAST_NAME: op?.lastName ?? 'User',
      PERSONAL_GENDER: '',
      PERSONAL_PHOTO: '',
      TIME_ZONE: 'Europe/Moscow',
      TIME_ZONE_OFFSET: 10800,
    },
  };
}
