// The main process's security decisions as pure functions, so they are tested under plain Node: which pages are the
// app, which IPC senders are trusted, which links may leave for the system browser. The CSP and the static-file
// rules are shared with the browser host (app/host/static-files.ts).
export {
  contentSecurityPolicy,
  contentTypeOf,
  rendererRelativePath,
  securityHeaders,
} from '../host/static-files.ts';

/** The renderer is served from this custom protocol, never from file://. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'openlines';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

function parse(url: string | undefined | null): URL | null {
  if (!url) return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True only for pages of the app itself (`app://openlines/…`). */
export function isAppUrl(url: string | undefined | null): boolean {
  const parsed = parse(url);
  return parsed !== null && parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
}

/** What Electron tells about an IPC message's sender, reduced to what the check needs. */
export interface SenderInfo {
  /** `event.senderFrame?.url`; absent when the frame is gone. */
  frameUrl: string | undefined;
  /** The sending frame is its window's main frame (not an iframe). */
  isMainFrame: boolean;
}

export type SenderVerdict = { ok: true } | { ok: false; reason: string };

/** Every IPC message must come from the app's own origin, from the main frame (VS Code's validation, in our words). */
export function checkSender(sender: SenderInfo): SenderVerdict {
  if (!sender.frameUrl) return { ok: false, reason: 'the sending frame is gone' };
  if (!isAppUrl(sender.frameUrl)) return { ok: false, reason: 'the sender is not the app' };
  if (!sender.isMainFrame) return { ok: false, reason: 'the sender is a sub-frame' };
  return { ok: true };
}

/** The URL to hand to the system browser, or null: only well-formed https links without credentials leave. */
export function externalLinkTarget(url: string): string | null {
  const parsed = parse(url);
  if (parsed?.protocol !== 'https:' || !parsed.hostname) return null;
  if (parsed.username || parsed.password) return null;
  return parsed.href;
}
