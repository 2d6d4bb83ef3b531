// The state behind the handlers: the profile store, one Bitrix24 client (and chat lister) per profile built from the
// profile and its keychain secret, the built-in demo profile on an embedded demo portal, connection states, limits
// forwarding and the event fan-out to whichever transport listens. Plain Node: no Electron here.
import type { ConnectionState, EventName, EventPayload, LimitsSnapshot, ProfileSummary } from '../contract/index.ts';
import { createBitrix24Client } from '../core/bitrix24/client.ts';
import { isBitrix24Error } from '../core/bitrix24/errors.ts';
import type { BatchOptions, Bitrix24Client, CallOptions, ClientOptions } from '../core/bitrix24/types.ts';
import { ChatLister } from '../core/chats/index.ts';
import { type DataPaths, dataFolder, dataPaths } from '../core/data-folder.ts';
import type { Keychain } from '../core/keychain/keychain.ts';
import { ProfileSecrets } from '../core/keychain/profile-secrets.ts';
import { type ProfileListing, ProfileStore } from '../core/profiles/profile-store.ts';
import { clientOptionsForProfile } from '../core/profiles/resolve-portal.ts';
import type { Profile } from '../core/profiles/schema.ts';
import { redact } from '../core/redact.ts';
import { createDemoPortal } from '../demo-portal/demo-portal.ts';
import type { DemoPortal, DemoPortalOptions } from '../demo-portal/types.ts';
import type { HandlerContext } from './context.ts';
import { APP_CODES, HandlerError } from './handler-error.ts';

/** The built-in profile on the embedded demo portal, shown when no profile exists (or with `serve --demo`). */
export const DEMO_PROFILE_ID = 'demo';
/** The profile standing for OPENLINES_WEBHOOK_URL in `env` mode. */
export const ENV_PROFILE_ID = 'env';

export interface ServicesOptions {
  runtime: HandlerContext['runtime'];
  version: string;
  /** Data folder; `OPENLINES_HOME` or the platform's user-data folder by default. */
  home?: string;
  /**
   * `profiles`: the stored profiles, the demo when none exists. `demo`: only the demo profile, no keychain touched.
   * `env`: only the portal of `envWebhookUrl` (OPENLINES_WEBHOOK_URL, for automation), no keychain touched.
   */
  mode: 'profiles' | 'demo' | 'env';
  /** The whole webhook URL in `env` mode; it holds the secret and is never shown. */
  envWebhookUrl?: string;
  demoPortal?: DemoPortalOptions;
  /** The keychain behind profile secrets (the OS keychain by default). */
  keychain?: Keychain;
  log?: (line: string) => void;
  /** Extra client options (tests shorten time-outs). */
  clientOverrides?: Partial<Omit<ClientOptions, 'credentials'>>;
  /** Minimum milliseconds between two `limits.changed` events of one profile. */
  limitsEventIntervalMs?: number;
}

type Listener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

interface ProfileRuntime {
  client: Bitrix24Client;
  chats: ChatLister;
  dispose(): void;
}

export class AppServices implements HandlerContext {
  readonly runtime: HandlerContext['runtime'];
  readonly version: string;
  readonly paths: DataPaths;
  readonly store: ProfileStore;
  readonly mode: ServicesOptions['mode'];
  private readonly controller = new AbortController();
  private readonly listeners = new Set<Listener>();
  private readonly closers: Array<() => void | Promise<void>> = [];
  private readonly runtimes = new Map<string, Promise<ProfileRuntime>>();
  private readonly connections = new Map<string, ConnectionState>();
  private demo: Promise<DemoPortal> | null = null;
  /** Set while the embedded demo portal is stopped on purpose (tests of the offline console). */
  private demoStopped = false;
  private demoSecret: string | null = null;
  private selected: string | null = null;
  private readonly logLine: (line: string) => void;

  constructor(private readonly options: ServicesOptions) {
    this.runtime = options.runtime;
    this.version = options.version;
    this.mode = options.mode;
    this.paths = dataPaths(options.home ?? dataFolder());
    this.store = new ProfileStore({
      home: this.paths.root,
      ...(options.keychain ? { secrets: new ProfileSecrets(options.keychain) } : {}),
    });
    this.logLine = options.log ?? (() => {});
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  // ── HandlerContext ─────────────────────────────────────────────────────────

  clientFor(profileId: string): Promise<Bitrix24Client> {
    return this.runtimeFor(profileId).then((runtime) => runtime.client);
  }

  async profile(profileId: string): Promise<ProfileSummary> {
    const summaries = await this.summaries();
    const found = summaries.find((summary) => summary.id === profileId);
    if (!found) throw notFound(profileId);
    return found;
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of this.listeners) {
      try {
        listener(event, payload);
      } catch (error) {
        this.log(`an event listener failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  log(line: string): void {
    this.logLine(redact(line, this.knownSecrets()));
  }

  onClose(callback: () => void | Promise<void>): void {
    this.closers.push(callback);
  }

  // ── for the handlers and transports ────────────────────────────────────────

  /** Receives every event; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Secret values this process holds outside the keychain (the embedded demo portal's webhook code). */
  knownSecrets(): string[] {
    const secrets = this.demoSecret ? [this.demoSecret] : [];
    const envCode = this.options.envWebhookUrl ? webhookCode(this.options.envWebhookUrl) : null;
    if (envCode) secrets.push(envCode);
    return secrets;
  }

  async chatsFor(profileId: string): Promise<ChatLister> {
    return (await this.runtimeFor(profileId)).chats;
  }

  /** Every profile the renderer may pick, as summaries (never a secret). */
  async summaries(): Promise<ProfileSummary[]> {
    if (this.mode === 'demo') return [demoSummary(true)];
    if (this.mode === 'env') return [envSummary(this.options.envWebhookUrl ?? '')];
    const listings = await this.store.list();
    if (listings.length === 0) return [demoSummary(true)];
    return listings.map(summaryOf);
  }

  async activeProfileId(): Promise<string | null> {
    const summaries = await this.summaries();
    if (this.selected && summaries.some((summary) => summary.id === this.selected)) return this.selected;
    return summaries.find((summary) => summary.isDefault)?.id ?? summaries[0]?.id ?? null;
  }

  async select(profileId: string): Promise<string> {
    await this.profile(profileId);
    if (this.mode === 'profiles' && profileId !== DEMO_PROFILE_ID) await this.store.setDefault(profileId);
    this.selected = profileId;
    return profileId;
  }

  connection(profileId: string): ConnectionState {
    return this.connections.get(profileId) ?? { profileId, state: 'unknown', message: null, checkedAt: null };
  }

  /** Drops a profile's client (after its address, secret or existence changed); the next use builds a new one. */
  async forget(profileId: string): Promise<void> {
    const runtime = this.runtimes.get(profileId);
    this.runtimes.delete(profileId);
    this.connections.delete(profileId);
    if (runtime)
      await runtime.then(
        (r) => r.dispose(),
        () => undefined,
      );
  }

  async close(): Promise<void> {
    this.controller.abort();
    for (const closer of this.closers.splice(0).reverse()) {
      try {
        await closer();
      } catch (error) {
        this.log(`a shutdown step failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    for (const id of [...this.runtimes.keys()]) await this.forget(id);
    const demo = this.demo;
    this.demo = null;
    if (demo)
      await demo.then(
        (portal) => portal.close(),
        () => undefined,
      );
    this.listeners.clear();
  }

  // ── internals ──────────────────────────────────────────────────────────────

  private runtimeFor(profileId: string): Promise<ProfileRuntime> {
    let runtime = this.runtimes.get(profileId);
    if (!runtime) {
      runtime = this.buildRuntime(profileId);
      this.runtimes.set(profileId, runtime);
      // A failed build (no secret yet, keychain locked) is retried on the next use.
      runtime.catch(() => {
        if (this.runtimes.get(profileId) === runtime) this.runtimes.delete(profileId);
      });
    }
    return runtime;
  }

  private async buildRuntime(profileId: string): Promise<ProfileRuntime> {
    const base = await this.clientOptionsFor(profileId);
    const client = createBitrix24Client({
      ...this.options.clientOverrides,
      ...base,
      log: (line) => this.log(line),
    });
    const tracked = this.track(profileId, client);
    const unsubscribe = this.forwardLimits(client);
    return { client: tracked, chats: new ChatLister(tracked), dispose: unsubscribe };
  }

  /** The engine options of a profile: its address and keychain secret, or the embedded demo portal's webhook. */
  async clientOptionsFor(profileId: string): Promise<ClientOptions> {
    if (profileId === DEMO_PROFILE_ID) {
      if (this.mode === 'profiles' && (await this.store.list()).length > 0) throw notFound(profileId);
      const portal = await this.demoPortal();
      return { credentials: { kind: 'webhook', webhookUrl: portal.webhookUrl }, plan: portal.options.plan };
    }
    if (this.mode === 'env') {
      if (profileId !== ENV_PROFILE_ID || !this.options.envWebhookUrl) throw notFound(profileId);
      return { credentials: { kind: 'webhook', webhookUrl: this.options.envWebhookUrl } };
    }
    if (this.mode === 'demo') throw notFound(profileId);
    let profile: Profile;
    try {
      profile = await this.store.get(profileId);
    } catch {
      throw notFound(profileId);
    }
    return clientOptionsForProfile(this.store, profile);
  }

  /**
   * Stops the embedded demo portal, as if the network went away: clients keep its address, and their calls fail
   * as unreachable until `startDemoPortal` brings it back on the same address.
   */
  async stopDemoPortal(): Promise<void> {
    const portal = await this.demoPortal();
    if (this.demoStopped) return;
    this.demoStopped = true;
    await portal.close();
  }

  async startDemoPortal(): Promise<void> {
    if (!this.demoStopped || !this.demo) return;
    const stopped = await this.demo;
    const port = Number(new URL(stopped.origin).port);
    this.demo = createDemoPortal({
      ...this.options.demoPortal,
      port,
      webhook: { userId: 1, ...this.options.demoPortal?.webhook, code: webhookCode(stopped.webhookUrl) ?? undefined },
    });
    this.demoStopped = false;
    await this.demo;
  }

  /** The embedded demo portal (started on first use); tests use it to inject faults. */
  demoPortal(): Promise<DemoPortal> {
    if (!this.demo) {
      this.demoStopped = false;
      this.demo = createDemoPortal({ port: 0, ...this.options.demoPortal }).then((portal) => {
        this.demoSecret = webhookCode(portal.webhookUrl);
        return portal;
      });
      this.demo.catch(() => {
        this.demo = null;
      });
    }
    return this.demo;
  }

  /** The client as the handlers see it: every answer (or failure to reach the portal) updates the connection state. */
  private track(profileId: string, client: Bitrix24Client): Bitrix24Client {
    const observe = async <T>(work: Promise<T>, stoppedBy?: (value: T) => unknown): Promise<T> => {
      try {
        const value = await work;
        this.noteOutcome(profileId, stoppedBy?.(value));
        return value;
      } catch (error) {
        this.noteOutcome(profileId, error);
        throw error;
      }
    };
    return {
      get portalLabel() {
        return client.portalLabel;
      },
      get limits() {
        return client.limits;
      },
      call: <T>(method: string, params?: Record<string, unknown>, options?: CallOptions) =>
        observe(client.call<T>(method, params, options)),
      batch: (commands, options?: BatchOptions) =>
        observe(client.batch(commands, options), (report) => report.stoppedBy),
      clearBlock: () => client.clearBlock(),
    };
  }

  /** Records what an explicit check (profiles.check) learnt about the portal. */
  noteConnection(profileId: string, state: ConnectionState['state'], message: string | null): void {
    this.setConnection({ profileId, state, message, checkedAt: Date.now() });
  }

  private setConnection(next: ConnectionState): void {
    const previous = this.connections.get(next.profileId);
    this.connections.set(next.profileId, next);
    if (!previous || previous.state !== next.state || previous.message !== next.message) {
      this.emit('connection.changed', next);
    }
  }

  private noteOutcome(profileId: string, error: unknown): void {
    let state: ConnectionState['state'] = 'online';
    let message: string | null = null;
    if (isBitrix24Error(error)) {
      if (error.category === 'unreachable') state = 'unreachable';
      else if (error.category === 'reauth') state = 'auth-failed';
      else if (error.category === 'blocked') state = 'blocked';
      if (state !== 'online') message = error.message;
    } else if (error !== undefined) {
      return; // an abort or a bug says nothing about the portal
    }
    this.setConnection({ profileId, state, message, checkedAt: Date.now() });
  }

  private forwardLimits(client: Bitrix24Client): () => void {
    const interval = this.options.limitsEventIntervalMs ?? 250;
    let last = 0;
    let timer: NodeJS.Timeout | null = null;
    const send = (snapshot: LimitsSnapshot) => {
      last = Date.now();
      this.emit('limits.changed', snapshot);
    };
    const unsubscribe = client.limits.subscribe(() => {
      const wait = interval - (Date.now() - last);
      if (wait <= 0) return send(client.limits.snapshot());
      // Several changes within the interval become one event carrying the latest snapshot.
      timer ??= setTimeout(() => {
        timer = null;
        send(client.limits.snapshot());
      }, wait);
      timer.unref();
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }
}

function webhookCode(webhookUrl: string): string | null {
  return /\/rest\/\d+\/([^/]+)/.exec(webhookUrl)?.[1] ?? null;
}

function notFound(profileId: string): HandlerError {
  return new HandlerError({
    code: APP_CODES.notFound,
    category: 'not-found',
    message: `There is no profile "${profileId}".`,
  });
}

export function demoSummary(isDefault: boolean): ProfileSummary {
  return {
    id: DEMO_PROFILE_ID,
    name: 'Demo portal',
    host: '127.0.0.1',
    authKind: 'webhook',
    plan: 'standard',
    isDefault,
    isDemo: true,
    hasSecret: true,
    defaultFilters: { lineIds: [], statuses: [], operatorIds: [] },
  };
}

function envSummary(webhookUrl: string): ProfileSummary {
  let host = '';
  try {
    host = new URL(webhookUrl).host;
  } catch {
    host = 'invalid address';
  }
  return {
    ...demoSummary(true),
    id: ENV_PROFILE_ID,
    name: 'Portal from OPENLINES_WEBHOOK_URL',
    host,
    plan: 'detect',
    isDemo: false,
  };
}

export function summaryOf(listing: ProfileListing): ProfileSummary {
  const { profile } = listing;
  return {
    id: profile.id,
    name: profile.name,
    host: new URL(profile.portal).host,
    authKind: profile.auth.kind,
    plan: profile.plan,
    isDefault: listing.isDefault,
    isDemo: false,
    hasSecret: listing.secret === 'stored',
    defaultFilters: {
      lineIds: [...profile.defaultFilters.lineIds],
      statuses: [...profile.defaultFilters.statuses],
      operatorIds: [...profile.defaultFilters.operatorIds],
    },
  };
}
