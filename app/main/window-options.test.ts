import { describe, expect, it } from 'vitest';
import { mainWindowOptions } from './window-options.ts';

describe('main window options', () => {
  it('keeps the renderer isolated, sandboxed and without Node', () => {
    const prefs = mainWindowOptions('/app/dist/preload/preload.cjs', { packaged: true }).webPreferences;
    expect(prefs).toMatchObject({
      preload: '/app/dist/preload/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
    });
  });

  it('never sets an option that would weaken those defaults', () => {
    const prefs = mainWindowOptions('/p.cjs', { packaged: true }).webPreferences ?? {};
    expect(Object.keys(prefs)).not.toContain('enableBlinkFeatures');
    expect(Object.keys(prefs)).not.toContain('additionalArguments');
    expect(Object.keys(prefs)).not.toContain('partition');
  });

  it('opens DevTools only when run from source, never in a packaged build', () => {
    expect(mainWindowOptions('/p.cjs', { packaged: true }).webPreferences?.devTools).toBe(false);
    expect(mainWindowOptions('/p.cjs', { packaged: false }).webPreferences?.devTools).toBe(true);
  });
});
