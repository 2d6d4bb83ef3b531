// Portal addresses as a profile stores them, by the engine's rules (app/core/bitrix24/portal-address.ts): https
// only; plain http only for this computer. Messages never repeat the input: it may hold a webhook code.
import { isBitrix24Error } from '../bitrix24/errors.ts';
import { isLoopbackHost, parseWebhookUrl } from '../bitrix24/portal-address.ts';

export type AddressResult<T> = { ok: true; value: T } | { ok: false; reason: string };

function parseUrl(input: string): URL | null {
  const text = input.trim();
  // A bare host (`example.bitrix24.com`) means https.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  try {
    return new URL(withScheme);
  } catch {
    return null;
  }
}

function checkUrl(url: URL): string | null {
  if (url.protocol === 'http:') {
    if (!isLoopbackHost(url.hostname)) {
      return `uses plain http, so the secret would travel unencrypted; use https://${url.host} (plain http is allowed only for localhost)`;
    }
  } else if (url.protocol !== 'https:') {
    return 'must start with https://';
  }
  if (url.username || url.password) return 'must not contain a user name or password';
  if (!url.hostname) return 'has no host name';
  if (url.search || url.hash) return 'must not carry a query string';
  if (/\/rest\/\d+\/[^/]+/.test(url.pathname)) {
    return 'is a whole webhook URL, which contains its secret code; give only the portal address and the user id';
  }
  return null;
}

/**
 * `example.bitrix24.com`, `https://example.bitrix24.com/` or `http://127.0.0.1:8080` → `https://host[:port]`.
 * An on-premise portal served under a path keeps it (`https://intranet.example/bitrix24`), without a trailing slash.
 */
export function parsePortalAddress(input: string): AddressResult<string> {
  if (!input.trim())
    return { ok: false, reason: 'is empty; give the portal address, e.g. https://example.bitrix24.com' };
  const url = parseUrl(input);
  if (!url) return { ok: false, reason: 'is not a valid address; give it as https://example.bitrix24.com' };
  const problem = checkUrl(url);
  if (problem) return { ok: false, reason: problem };
  const path = url.pathname.replace(/\/+$/, '');
  if (/(^|\/)rest$/.test(path)) return { ok: false, reason: 'must be the portal address without /rest/' };
  return { ok: true, value: `${url.origin}${path}` };
}

/** An https (or loopback http) URL kept whole, e.g. the OAuth `client_endpoint` or token URL. */
export function parseServiceUrl(input: string): AddressResult<string> {
  const url = input.trim() ? parseUrl(input) : null;
  if (!url) return { ok: false, reason: 'is not a valid address' };
  const problem = checkUrl(url);
  if (problem) return { ok: false, reason: problem };
  return { ok: true, value: url.href };
}

export interface WebhookParts {
  /** The profile's portal address: `https://host[:port][/path]`. */
  portal: string;
  userId: number;
  /** The secret. */
  code: string;
}

/**
 * Splits `https://host/rest/<user>/<code>/[method]` into what the profile keeps and what the keychain keeps, by the
 * engine's one webhook parser.
 */
export function splitWebhookUrl(input: string): AddressResult<WebhookParts> {
  try {
    const address = parseWebhookUrl(input);
    const portal = address.baseUrl.slice(0, address.baseUrl.lastIndexOf('/rest/'));
    return { ok: true, value: { portal, userId: address.userId, code: address.code } };
  } catch (error) {
    if (isBitrix24Error(error)) return { ok: false, reason: error.message };
    throw error;
  }
}

/** The webhook URL the engine expects, built from the profile's address and the keychain's code. */
export function buildWebhookUrl(portal: string, userId: number, code: string): string {
  return `${portal}/rest/${userId}/${code}/`;
}

/** Host (and port) of a portal address, safe to show and log. */
export function hostOf(portal: string): string {
  return new URL(portal).host;
}
