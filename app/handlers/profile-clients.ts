// One Bitrix24 client (and chat lister) per profile, built on first use and kept until the profile changes: a
// failed build (no secret yet, keychain locked) is tried again on the next use.
import type { Bitrix24Client } from '../core/bitrix24/types.ts';
import type { ChatLister } from '../core/chats/index.ts';

export interface ProfileRuntime {
  client: Bitrix24Client;
  chats: ChatLister;
  /** Stops what the runtime set up (limits forwarding). */
  dispose(): void;
}

export class ProfileClients {
  private readonly runtimes = new Map<string, Promise<ProfileRuntime>>();

  constructor(private readonly build: (profileId: string) => Promise<ProfileRuntime>) {}

  get(profileId: string): Promise<ProfileRuntime> {
    let runtime = this.runtimes.get(profileId);
    if (!runtime) {
      runtime = this.build(profileId);
      this.runtimes.set(profileId, runtime);
      runtime.catch(() => {
        if (this.runtimes.get(profileId) === runtime) this.runtimes.delete(profileId);
      });
    }
    return runtime;
  }

  /** Drops a profile's client; the next use builds a new one. */
  async forget(profileId: string): Promise<void> {
    const runtime = this.runtimes.get(profileId);
    this.runtimes.delete(profileId);
    if (runtime)
      await runtime.then(
        (r) => r.dispose(),
        () => undefined,
      );
  }

  ids(): string[] {
    return [...this.runtimes.keys()];
  }
}
