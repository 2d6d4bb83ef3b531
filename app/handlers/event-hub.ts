// The event fan-out: every event the handlers emit reaches whichever transports listen (IPC, WebSocket); a
// listener that throws is logged and does not stop the others.
import type { EventName, EventPayload } from '../contract/index.ts';

export type EventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

export class EventHub {
  private readonly listeners = new Set<EventListener>();

  constructor(private readonly log: (line: string) => void) {}

  /** Receives every event; returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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

  clear(): void {
    this.listeners.clear();
  }
}
