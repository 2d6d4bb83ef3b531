import type { MethodOutput, MethodTable, PortalState } from './portal-state.ts';

export function userMethods(portal: PortalState): MethodTable {
  return {
    profile: () => profile(portal),
  };
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
