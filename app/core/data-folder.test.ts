import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { atomicWriteFile, dataFolder, dataPaths, moveAside } from './data-folder.ts';
import { TestHome } from './profiles/test-support.ts';

describe('dataFolder', () => {
  it('uses OPENLINES_HOME when it is set', () => {
    expect(dataFolder({ env: { OPENLINES_HOME: '/srv/ol' }, platform: 'linux', homedir: '/home/a' })).toBe('/srv/ol');
  });

  it('lands where the desktop app keeps its user data on each platform', () => {
    expect(dataFolder({ env: {}, platform: 'linux', homedir: '/home/a' })).toBe('/home/a/.config/Open Lines Console');
    expect(dataFolder({ env: { XDG_CONFIG_HOME: '/x/cfg' }, platform: 'linux', homedir: '/home/a' })).toBe(
      '/x/cfg/Open Lines Console',
    );
    expect(dataFolder({ env: {}, platform: 'darwin', homedir: '/Users/a' })).toBe(
      '/Users/a/Library/Application Support/Open Lines Console',
    );
    expect(
      dataFolder({ env: { APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, platform: 'win32', homedir: 'C:\\Users\\a' }),
    ).toBe('C:\\Users\\a\\AppData\\Roaming\\Open Lines Console');
  });

  it('names the cache folder of a profile and refuses ids that would leave it', () => {
    const paths = dataPaths('/d');
    expect(paths.cacheDir('main-office')).toBe('/d/cache/main-office');
    expect(() => paths.cacheDir('../etc')).toThrow(/profile id/);
  });
});

describe('atomicWriteFile', () => {
  let home: TestHome;
  beforeEach(async () => {
    home = await TestHome.create();
  });
  afterEach(() => home.cleanup());

  it('replaces the content whole, private to the user, leaving no temporary file', async () => {
    const file = path.join(home.root, 'nested', 'state.json');
    await atomicWriteFile(file, 'first');
    await atomicWriteFile(file, 'second, longer content');
    expect(await readFile(file, 'utf8')).toBe('second, longer content');
    expect(await readdir(path.dirname(file))).toEqual(['state.json']);
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('keeps the old content and cleans up when the new file cannot be put in place', async () => {
    const target = path.join(home.root, 'taken');
    await mkdir(target);
    await writeFile(path.join(target, 'inside'), 'old');
    await expect(atomicWriteFile(target, 'new')).rejects.toThrow();
    expect(await readFile(path.join(target, 'inside'), 'utf8')).toBe('old');
    expect(await readdir(home.root)).toEqual(['taken']);
  });
});

describe('moveAside', () => {
  let home: TestHome;
  beforeEach(async () => {
    home = await TestHome.create();
  });
  afterEach(() => home.cleanup());

  it('keeps the unusable file byte for byte under a dated name, never overwriting an earlier one', async () => {
    const file = path.join(home.root, 'profiles.json');
    const at = new Date('2026-05-01T12:30:00.000Z');
    await writeFile(file, Buffer.from([0x7b, 0x00, 0xff, 0x22]));
    const first = await moveAside(file, 'is not valid JSON', at);
    await writeFile(file, 'second');
    const second = await moveAside(file, 'is not valid JSON', at);
    expect(path.basename(first.movedTo)).toBe('profiles.json.corrupt-2026-05-01T12-30-00-000Z');
    expect(second.movedTo).not.toBe(first.movedTo);
    expect(await readFile(first.movedTo)).toEqual(Buffer.from([0x7b, 0x00, 0xff, 0x22]));
    expect(await readFile(second.movedTo, 'utf8')).toBe('second');
    expect(first).toMatchObject({ file, reason: 'is not valid JSON', at: at.toISOString() });
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
