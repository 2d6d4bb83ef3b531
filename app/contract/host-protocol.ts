// The browser host speaks the same contract over one WebSocket: `ws://127.0.0.1:PORT/ws?token=TOKEN`, where the
// token is the random one printed at start (the page reads it from `#token=` in its URL). Origin and Host must be
// the host's own `http://127.0.0.1:PORT`.
import { z } from 'zod';
import { ipcErrorSchema } from './envelope.ts';

/** Page → host: one channel call. */
export const hostRequestSchema = z.object({
  id: z.number().int().nonnegative(),
  channel: z.string().max(64),
  input: z.unknown(),
});
export type HostRequest = z.infer<typeof hostRequestSchema>;

/** Host → page: the envelope answering request `id`, or an event. */
export const hostMessageSchema = z.union([
  z.object({
    id: z.number(),
    result: z.union([
      z.object({ ok: z.literal(true), data: z.unknown() }),
      z.object({ ok: z.literal(false), error: ipcErrorSchema }),
    ]),
  }),
  z.object({ event: z.string(), payload: z.unknown() }),
]);
export type HostMessage = z.infer<typeof hostMessageSchema>;

export const HOST_SOCKET_PATH = '/ws';
