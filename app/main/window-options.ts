// The main window's options in ONE place; window-options.test.ts pins every security-relevant value.
import type { BrowserWindowConstructorOptions } from 'electron';

export interface WindowBuild {
  /** A packaged build (Electron's `app.isPackaged`): what supervisors run. */
  packaged: boolean;
}

export function mainWindowOptions(preloadPath: string, build: WindowBuild): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 880,
    minHeight: 560,
    show: false,
    title: 'Open Lines Console',
    backgroundColor: '#1e1f22',
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
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
      safeDialogs: true,
      spellcheck: false,
      // DevTools would let anyone at the desk script the console's IPC: only for developers running from source.
      devTools: !build.packaged,
    },
  };
}
