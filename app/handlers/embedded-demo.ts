// The demo portal embedded in the console: started on first use on a free port, stoppable and restartable on the
// same address (tests of the offline console), closed with the services.
import { createDemoPortal } from '../demo-portal/demo-portal.ts';
import type { DemoPortal, DemoPortalOptions } from '../demo-portal/types.ts';
import { webhookCodeOf } from './profile-summaries.ts';

export class EmbeddedDemoPortal {
  private demo: Promise<DemoPortal> | null = null;
  /** Set while the portal is stopped on purpose. */
  private stopped = false;
  /** Its webhook code: a secret this process holds outside the keychain, redacted from every log line. */
  secret: string | null = null;

  constructor(private readonly options: DemoPortalOptions = {}) {}

  /** The portal, started on first use; tests use it to inject faults. */
  portal(): Promise<DemoPortal> {
    if (!this.demo) {
      this.stopped = false;
      this.demo = createDemoPortal({ port: 0, ...this.options }).then((portal) => {
        this.secret = webhookCodeOf(portal.webhookUrl);
        return portal;
      });
      this.demo.catch(() => {
        this.demo = null;
      });
    }
    return this.demo;
  }

  /**
   * Stops the portal, as if the network went away: clients keep its address, and their calls fail as unreachable
   * until `start` brings it back on the same address.
   */
  async stop(): Promise<void> {
    const portal = await this.portal();
    if (this.stopped) return;
    this.stopped = true;
    await portal.close();
  }

  async start(): Promise<void> {
    if (!this.stopped || !this.demo) return;
    const stopped = await this.demo;
    const port = Number(new URL(stopped.origin).port);
    this.demo = createDemoPortal({
      ...this.options,
      port,
      webhook: { userId: 1, ...this.options.webhook, code: webhookCodeOf(stopped.webhookUrl) ?? undefined },
    });
    this.stopped = false;
    await this.demo;
  }

  async close(): Promise<void> {
    const demo = this.demo;
    this.demo = null;
    if (demo)
      await demo.then(
        (portal) => portal.close(),
        () => undefined,
      );
  }
}
