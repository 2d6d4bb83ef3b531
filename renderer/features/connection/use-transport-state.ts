import { useSyncExternalStore } from 'react';
import { getApi, type TransportState } from '../../bridge/index.ts';

export function useTransportState(): TransportState {
  const api = getApi();
  return useSyncExternalStore(api.onTransportState, api.transportState);
}
