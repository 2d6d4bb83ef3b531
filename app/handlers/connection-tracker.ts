// Each profile's connection state (online, unreachable, auth-failed, blocked), learnt from how its client's calls
// end and from explicit checks; a change is announced once as `connection.changed`.
import type { ConnectionState } from '../contract/index.ts';
import { isBitrix24Error } from '../core/bitrix24/errors.ts';
import type { ClientOutcome } from '../core/bitrix24/types.ts';

export class ConnectionTracker {
  private readonly states = new Map<string, ConnectionState>();

  constructor(private readonly announce: (state: ConnectionState) => void) {}

  state(profileId: string): ConnectionState {
    return this.states.get(profileId) ?? { profileId, state: 'unknown', message: null, checkedAt: null };
  }

  /** Records what an explicit check (profiles.check) learnt about the portal. */
  note(profileId: string, state: ConnectionState['state'], message: string | null): void {
    this.set({ profileId, state, message, checkedAt: Date.now() });
  }

  /** A call or batch of the profile's client ended: an answer means online, a portal-level failure says why not. */
  observe(profileId: string, outcome: ClientOutcome): void {
    let state: ConnectionState['state'] = 'online';
    let message: string | null = null;
    if (!outcome.ok) {
      const { error } = outcome;
      // An abort or a bug says nothing about the portal.
      if (!isBitrix24Error(error)) return;
      if (error.category === 'unreachable') state = 'unreachable';
      else if (error.category === 'reauth') state = 'auth-failed';
      else if (error.category === 'blocked') state = 'blocked';
      if (state !== 'online') message = error.message;
    }
    this.set({ profileId, state, message, checkedAt: Date.now() });
  }

  forget(profileId: string): void {
    this.states.delete(profileId);
  }

  private set(next: ConnectionState): void {
    const previous = this.states.get(next.profileId);
    this.states.set(next.profileId, next);
    if (!previous || previous.state !== next.state || previous.message !== next.message) this.announce(next);
  }
}
