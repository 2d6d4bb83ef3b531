// The state behind the handlers, composed from one module per job: the profile store, per-profile clients
// (profile-clients.ts), the embedded demo portal (embedded-demo.ts), connection states learnt from each client's
// outcome hook (connection-tracker.ts), limits forwarding (limits-forwarder.ts) and the event fan-out to whichever
// transport listens (event-hub.ts). Plain Node: no Electron here.
import type { ConnectionState, EventName, EventPayload, ProfileSummary } from '../contract/index.ts';
import { createBitrix24Client } from '../core/bitrix24/client.ts';
import type { Bitrix24Client, ClientOptions } from '../core/bitrix24/types.ts';
import { ChatLister } from '../core/chats/index.ts';
import { type DataPaths, dataFolder, dataPaths } from '../core/data-folder.ts';
import type { Keychain } from '../core/keychain/keychain.ts';
import { ProfileSecrets } from '../core/keychain/profile-secrets.ts';
import { ProfileStore } from '../core/profiles/profile-store.ts';
import { clientOptionsForProfile } from '../core/profiles/resolve-portal.ts';
import type { Profile } from '../core/profiles/schema.ts';
import { redact } from '../core/redact.ts';
import type { DemoPortal, DemoPortalOptions } from '../demo-portal/types.ts';
import { ConnectionTracker } from './connection-tracker.ts';
import type { HandlerContext } from './context.ts';
import { EmbeddedDemoPortal } from './embedded-demo.ts';
import { EventHub, type EventListener } from './event-hub.ts';
import { APP_CODES, HandlerError } from './handler-error.ts';
import { forwardLimits } from './limits-forwarder.ts';
import { ProfileClients, type ProfileRuntime } from './profile-clients.ts';
import {
  DEMO_PROFILE_ID,
  demoSummary,
  ENV_PROFILE_ID,
  envSummary,
  summaryOf,
  webhookCodeOf,
} from './profile-summaries.ts';
import { RequestLog } from './request-log.ts';

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
  /** Log every portal request rather than a summary a minute. */
  verboseRequests?: boolean;
  /** Extra client options (tests shorten time-outs). */
  clientOverrides?: Partial<Omit<ClientOptions, 'credentials'>>;
  /** Minimum milliseconds between two `limits.changed` events of one profile. */
  limitsEventIntervalMs?: number;
}

export class AppServices implements HandlerContext {
  readonly runtime: HandlerContext['runtime'];
  readonly version: string;
  readonly paths: DataPaths;
  readonly store: ProfileStore;
  readonly mode: ServicesOptions['mode'];
  private readonly controller = new AbortController();
  private readonly events: EventHub;
  private readonly connections: ConnectionTracker;
  private readonly clients: ProfileClients;
  private readonly demo: EmbeddedDemoPortal;
  private readonly closers: Array<() => void | Promise<void>> = [];
  private selected: string | null = null;
  private readonly logLine: (line: string) => void;
  private readonly requestLog: RequestLog;

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
    this.requestLog = new RequestLog((line) => this.log(line), options.verboseRequests === true);
    this.events = new EventHub((line) => this.log(line));
    this.connections = new ConnectionTracker((state) => this.emit('connection.changed', state));
    this.clients = new ProfileClients((profileId) => this.buildRuntime(profileId));
    this.demo = new EmbeddedDemoPortal(options.demoPortal);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  // ── HandlerContext ─────────────────────────────────────────────────────────

  clientFor(profileId: string): Promise<Bitrix24Client> {
    return this.clients.get(profileId).then((runtime) => runtime.client);
  }

  async profile(profileId: string): Promise<ProfileSummary> {
    const summaries = await this.summaries();
    const found = summaries.find((summary) => summary.id === profileId);
    if (!found) throw notFound(profileId);
    return found;
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    this.events.emit(event, payload);
  }

  log(line: string): void {
    this.logLine(redact(line, this.knownSecrets()));
  }

  onClose(callback: () => void | Promise<void>): void {
    this.closers.push(callback);
  }

  // ── for the handlers and transports ────────────────────────────────────────

  /** Receives every event; returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void {
    return this.events.subscribe(listener);
  }

  /** Secret values this process holds outside the keychain (the embedded demo portal's webhook code). */
  knownSecrets(): string[] {
    const secrets = this.demo.secret ? [this.demo.secret] : [];
    const envCode = this.options.envWebhookUrl ? webhookCodeOf(this.options.envWebhookUrl) : null;
    if (envCode) secrets.push(envCode);
    return secrets;
  }

  async chatsFor(profileId: string): Promise<ChatLister> {
    return (await this.clients.get(profileId)).chats;
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
    return this.connections.state(profileId);
  }

  /** Records what an explicit check (profiles.check) learnt about the portal. */
  noteConnection(profileId: string, state: ConnectionState['state'], message: string | null): void {
    this.connections.note(profileId, state, message);
  }

  /** Drops a profile's client (after its address, secret or existence changed); the next use builds a new one. */
  async forget(profileId: string): Promise<void> {
    this.connections.forget(profileId);
    await this.clients.forget(profileId);
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
    for (const id of this.clients.ids()) await this.forget(id);
    await this.demo.close();
    this.requestLog.flush();
    this.events.clear();
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

  /** The embedded demo portal (started on first use); tests use it to inject faults. */
  demoPortal(): Promise<DemoPortal> {
    return this.demo.portal();
  }

  /** Stops the embedded demo portal as if the network went away; `startDemoPortal` brings it back. */
  stopDemoPortal(): Promise<void> {
    return this.demo.stop();
  }

  startDemoPortal(): Promise<void> {
    return this.demo.start();
  }

  // ── internals ──────────────────────────────────────────────────────────────

  private async buildRuntime(profileId: string): Promise<ProfileRuntime> {
    const base = await this.clientOptionsFor(profileId);
    const client = createBitrix24Client({
      ...this.options.clientOverrides,
      ...base,
      log: (line) => this.requestLog.line(line),
      // Every answer (or failure to reach the portal) updates the profile's connection state.
      onOutcome: (outcome) => this.connections.observe(profileId, outcome),
    });
    const stopLimits = forwardLimits(
      client,
      (snapshot) => this.emit('limits.changed', snapshot),
      this.options.limitsEventIntervalMs ?? 250,
    );
    return { client, chats: new ChatLister(client), dispose: stopLimits };
  }
}

function notFound(profileId: string): HandlerError {
  return new HandlerError({
    code: APP_CODES.notFound,
    category: 'not-found',
    message: `There is no profile "${profileId}".`,
  });
}
