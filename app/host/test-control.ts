// Test-only control of `serve --demo` (OPENLINES_TEST_CONTROL=1): the browser e2e specs stop and restart the
// embedded demo portal and inject faults through stdin, and wait for `control ok <command>` on stdout.
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { DemoFaults } from '../demo-portal/types.ts';

export interface DemoControls {
  stopDemoPortal(): Promise<void>;
  startDemoPortal(): Promise<void>;
  demoPortal(): Promise<{ setFaults(faults: DemoFaults): void }>;
}

/** Runs one command; the answer line to print. */
export async function runControlCommand(controls: DemoControls, command: string): Promise<string> {
  try {
    if (command === 'ping') return `control ok ${command}`;
    if (command === 'portal stop') await controls.stopDemoPortal();
    else if (command === 'portal start') await controls.startDemoPortal();
    else if (command.startsWith('portal faults ')) {
      const faults = JSON.parse(command.slice('portal faults '.length)) as unknown;
      if (faults === null || typeof faults !== 'object' || Array.isArray(faults))
        throw new Error('faults must be a JSON object');
      (await controls.demoPortal()).setFaults(faults as DemoFaults);
    } else throw new Error(`unknown command "${command.slice(0, 80)}"`);
    return `control ok ${command}`;
  } catch (error) {
    return `control error ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** Reads commands line by line (one at a time, in order) and prints each answer. */
export function listenForControl(controls: DemoControls, input: Readable, print: (line: string) => void): () => void {
  const reader = createInterface({ input });
  let queue = Promise.resolve();
  reader.on('line', (line) => {
    const command = line.trim();
    if (!command) return;
    queue = queue.then(async () => print(await runControlCommand(controls, command)));
  });
  return () => reader.close();
}
