// The Electron main process: one window on the custom `app://openlines/` protocol, secure defaults from
// window-options.ts, every IPC message sender-checked and handed to the shared dispatcher (app/handlers).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session, shell } from 'electron';
import { type Backend, createBackend } from '../handlers/backend.ts';
import { applicationMenuTemplate, importPortalsFile } from './import-portals.ts';
import { forwardEvent, registerIpc } from './ipc.ts';
import {
  APP_ENTRY_URL,
  APP_HOST,
  APP_SCHEME,
  contentTypeOf,
  externalLinkTarget,
  isAppUrl,
  rendererRelativePath,
  securityHeaders,
} from './security.ts';
import { mainWindowOptions } from './window-options.ts';

const here = path.dirname(fileURLToPath(import.meta.url)); // dist/main
const rendererRoot = path.join(here, '..', 'renderer');
const preloadPath = path.join(here, '..', 'preload', 'preload.cjs');

// Must run before `ready`: the scheme behaves like https (secure context, standard URL parsing, fetch).
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
]);

function log(line: string): void {
  console.error(`Open Lines Console: ${line}`);
}

async function serveRenderer(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const relative = url.host === APP_HOST ? rendererRelativePath(url.pathname) : null;
  if (relative === null) return new Response('Not found', { status: 404, headers: securityHeaders() });
  const file = path.join(rendererRoot, relative);
  try {
    const body = await readFile(file);
    return new Response(body, { headers: { 'Content-Type': contentTypeOf(file), ...securityHeaders() } });
  } catch {
    return new Response('Not found', { status: 404, headers: securityHeaders() });
  }
}

function hardenContents(contents: Electron.WebContents): void {
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // The app is a single page: any navigation is refused; an https link goes to the system browser instead.
  const refuse = (event: { preventDefault(): void }, url: string) => {
    if (isAppUrl(url) && url === contents.getURL()) return;
    event.preventDefault();
    const target = externalLinkTarget(url);
    if (target) void shell.openExternal(target);
  };
  contents.on('will-navigate', (event) => refuse(event, event.url));
  contents.on('will-redirect', (event) => refuse(event, event.url));
  contents.setWindowOpenHandler(({ url }) => {
    const target = externalLinkTarget(url);
    if (target) void shell.openExternal(target);
    return { action: 'deny' };
  });
}

async function importPortalsFromMenu(backend: Backend): Promise<void> {
  const owner = BrowserWindow.getFocusedWindow();
  const options: Electron.OpenDialogOptions = {
    title: 'Import portals',
    properties: ['openFile'],
    filters: [{ name: 'Provisioning file', extensions: ['json'] }],
  };
  const choice = owner ? await dialog.showOpenDialog(owner, options) : await dialog.showOpenDialog(options);
  const file = choice.filePaths[0];
  if (choice.canceled || !file) return;
  // The handler emits profiles.changed when something was imported; the windows refresh their portal lists.
  const outcome = await importPortalsFile(file, { dispatch: backend.dispatch, readText: (p) => readFile(p, 'utf8') });
  const box: Electron.MessageBoxOptions = { ...outcome, title: 'Import portals' };
  if (owner) await dialog.showMessageBox(owner, box);
  else await dialog.showMessageBox(box);
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow(mainWindowOptions(preloadPath, { packaged: app.isPackaged }));
  window.once('ready-to-show', () => window.show());
  void window.loadURL(APP_ENTRY_URL);
  return window;
}

async function start(): Promise<void> {
  const backend = createBackend({
    runtime: 'electron',
    version: app.getVersion(),
    home: process.env.OPENLINES_HOME?.trim() || app.getPath('userData'),
    mode: process.env.OPENLINES_DEMO === '1' ? 'demo' : 'profiles',
    log,
  });
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
  await app.whenReady();

  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  protocol.handle(APP_SCHEME, serveRenderer);

  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      applicationMenuTemplate(process.platform, () => {
        importPortalsFromMenu(backend).catch((error: unknown) => {
          log(`portal import from the menu failed: ${error instanceof Error ? error.name : 'unknown error'}`);
        });
      }),
    ),
  );
  registerIpc(ipcMain, backend.dispatch, log);
  backend.services.subscribe((event, payload) =>
    forwardEvent(
      BrowserWindow.getAllWindows().map((window) => window.webContents),
      event,
      payload,
    ),
  );

  let window = createWindow();
  app.on('second-instance', () => {
    if (window.isDestroyed()) window = createWindow();
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) window = createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  let closing = false;
  app.on('before-quit', (event) => {
    if (closing) return;
    closing = true;
    event.preventDefault();
    void backend.close().finally(() => app.quit());
  });
}

// One instance: a second launch focuses the first window instead.
if (app.requestSingleInstanceLock()) {
  start().catch((error: unknown) => {
    log(`could not start: ${error instanceof Error ? error.message : String(error)}`);
    app.exit(1);
  });
} else {
  app.quit();
}
