import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventName } from '../contract/index.ts';
import { type Backend, createBackend } from '../handlers/backend.ts';
import { applicationMenuTemplate, importPortalsFile } from './import-portals.ts';

let backend: Backend;
let home: string;
const events: EventName[] = [];

beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'openlines-import-menu-'));
  backend = createBackend({ runtime: 'electron', version: '0.0.0-test', home, mode: 'profiles' });
  backend.services.subscribe((event) => events.push(event));
});

afterAll(async () => {
  await backend.close();
  await rm(home, { recursive: true, force: true });
});

const read = (file: string) => readFile(file, 'utf8');

describe('File → Import portals…', () => {
  it('imports the good entries, explains the bad ones and tells the windows', async () => {
    // Not portals.json in the data folder: that one is imported by itself on first start.
    const file = path.join(home, 'from-it.json');
    await writeFile(
      file,
      JSON.stringify([
        { name: 'Head office', portal: 'https://head.example.com', auth: { kind: 'webhook', userId: 1 } },
        { name: 'Old branch', portal: 'ftp://old.example.com', auth: { kind: 'webhook', userId: 2 } },
      ]),
    );
    const outcome = await importPortalsFile(file, { dispatch: backend.dispatch, readText: read });
    expect(outcome.type).toBe('warning');
    expect(outcome.message).toContain('Imported 1 portal(s): head-office.');
    expect(outcome.detail).toMatch(/^1 rejected:\nEntry 1: portal \S/);
    expect(events).toContain('profiles.changed');
  });

  it('says plainly when the file cannot be read, without importing anything', async () => {
    const before = events.length;
    const outcome = await importPortalsFile(path.join(home, 'missing.json'), {
      dispatch: backend.dispatch,
      readText: read,
    });
    expect(outcome).toMatchObject({ type: 'error', message: 'Could not read the provisioning file.' });
    expect(outcome.detail).toContain('ENOENT');
    expect(events.length).toBe(before);
  });

  it('reports a file that is not a provisioning file', async () => {
    const file = path.join(home, 'notes.txt');
    await writeFile(file, 'not json at all');
    const outcome = await importPortalsFile(file, { dispatch: backend.dispatch, readText: read });
    expect(outcome.type).not.toBe('info');
    expect(`${outcome.message} ${outcome.detail}`).toMatch(/JSON|file/i);
  });

  it('puts "Import portals…" in the File menu', () => {
    let clicked = 0;
    const menu = applicationMenuTemplate('linux', () => clicked++);
    const file = menu.find((item) => item.label === '&File');
    const submenu = Array.isArray(file?.submenu) ? file.submenu : [];
    const item = submenu.find((entry) => entry.label === 'Import portals…');
    item?.click?.({} as never, undefined, {} as never);
    expect(clicked).toBe(1);
  });
});
