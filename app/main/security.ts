// The main process's security decisions as pure functions, so they are tested under plain Node: which pages are the
// app, which IPC senders are trusted, which links may leave for the system browser, and the CSP every page gets.

/** The renderer is served from this custom protocol, never from file://. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'openlines';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** Strict CSP: only the app's own scripts and styles, no inline or eval'd script, no plugins, no framing. */
export function contentSecurityPolicy(extraConnectSources: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${["'self'", ...extraConnectSources].join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "frame-src 'none'",
    "worker-src 'self'",
  ].join('; ');
}

/** Headers sent with every page and asset, on both the custom protocol and the browser host. */
export function securityHeaders(extraConnectSources: readonly string[] = []): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(extraConnectSources),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'X-Frame-Options': 'DENY',
  };
}

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
  if (!parsed || parsed.protocol !== 'https:' || !parsed.hostname) return null;
  if (parsed.username || parsed.password) return null;
  return parsed.href;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeOf(file: string): string {
  const dot = file.lastIndexOf('.');
  return CONTENT_TYPES[dot === -1 ? '' : file.slice(dot).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The renderer file a request path names, relative to the renderer folder, or null when it tries to leave it.
 * `/` is the entry page. Paths are decoded once and checked segment by segment.
 */
export function rendererRelativePath(pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.some((segment) => segment === '..')) return null;
  return segments.length === 0 ? 'index.html' : segments.join('/');
}
