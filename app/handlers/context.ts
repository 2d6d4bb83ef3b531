// What every channel handler is given, and the shape of the handler table. The table is written once and served
// by both transports: Electron IPC (app/main/ipc.ts) and the browser host's WebSocket (app/host/).
import type { z } from 'zod';
import type {
  ChannelName,
  ChannelOutput,
  channels,
  EventName,
  EventPayload,
  ProfileSummary,
} from '../contract/index.ts';
import type { Bitrix24Client } from '../core/bitrix24/types.ts';
import type { DataPaths } from '../core/data-folder.ts';

/** A channel's input after the contract's zod schema parsed it (defaults applied). */
export type HandlerInput<C extends ChannelName> = z.output<(typeof channels)[C]['input']>;

/** One channel's implementation. It throws `HandlerError` (or a `Bitrix24Error`) to answer with a typed error. */
export type Handler<C extends ChannelName> = (input: HandlerInput<C>) => Promise<ChannelOutput<C>>;

/** Every channel of the contract, each exactly once: a missing or misspelt channel does not compile. */
export type HandlerTable = { [C in ChannelName]: Handler<C> };

/** The handlers of one contract namespace (`profiles`, `runs`, …): each namespace has its own file. */
export type NamespaceHandlers<N extends string> = { [C in Extract<ChannelName, `${N}.${string}`>]: Handler<C> };

/** What `createRunsHandlers(context)` in app/handlers/runs-handlers.ts returns. */
export type RunsHandlers = NamespaceHandlers<'runs'>;

export interface HandlerContext {
  /** Which transport serves the handlers; shown in `app.info`. */
  readonly runtime: 'electron' | 'browser';
  readonly version: string;
  /** The data folder (profiles, caches, bulk-run journals). */
  readonly paths: DataPaths;
  /**
   * The Bitrix24 client of a profile, built once per profile from the profile and its keychain secret (or the
   * embedded demo portal for the built-in `demo` profile) and cached until the profile changes. Every call
   * through it updates the profile's connection state (`connection.changed`), and its limits are forwarded as
   * `limits.changed`. Throws `HandlerError` NOT_FOUND / SECRET_MISSING / KEYCHAIN_UNAVAILABLE.
   */
  clientFor(profileId: string): Promise<Bitrix24Client>;
  /** The profile as the renderer sees it (never a secret). Throws `HandlerError` NOT_FOUND. */
  profile(profileId: string): Promise<ProfileSummary>;
  /** Sends an event to the renderer (every window, or every connected browser page). */
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  /** Diagnostics; the line is redacted before it is written anywhere. */
  log(line: string): void;
  /** Aborted when the app or host shuts down. */
  readonly signal: AbortSignal;
  /** Runs (and awaits) `callback` at shutdown, before the clients and the demo portal close. */
  onClose(callback: () => void | Promise<void>): void;
}
