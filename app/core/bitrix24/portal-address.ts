// Parses and vets portal addresses before any request leaves: https everywhere, plain http only on this computer.
// Messages name the host at most; the webhook code never appears in them.
import { Bitrix24Error, CLIENT_CODES } from './errors.ts';

export interface WebhookAddress {
  kind: 'webhook';
  /** `https://host/rest/<user>/<code>/`, always with the trailing slash; contains the secret. */
  baseUrl: string;
  /** Host (and port when not the default): safe to show and log. */
  label: string;
  userId: number;
  /** The secret part of the webhook. */
  code: string;
}

export interface EndpointAddress {
  /** The endpoint with a trailing slash, e.g. `https://portal.bitrix24.com/rest/`. */
  baseUrl: string;
  label: string;
}

/** True for hosts that resolve to this computer only: 127.0.0.0/8, ::1 and localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  const v4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4) return v4.slice(1).every((part) => Number(part) <= 255);
  // IPv4-mapped IPv6 loopback, e.g. ::ffff:127.0.0.1 (WHATWG URL renders it as ::ffff:7f00:1).
  return /^::ffff:(127\.|7f[0-9a-f]{2}:)/.test(host);
}

function invalid(message: string): Bitrix24Error {
  return new Bitrix24Error({ code: CLIENT_CODES.invalidAddress, message });
}

function parseUrl(text: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    // The raw text may hold the webhook code: it stays out of the message.
    throw invalid(`The ${what} is not a valid address; it should start with https://.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid(`The ${what} must use https:// (it uses ${url.protocol.replace(/:$/, '')}).`);
  }
  if (url.username !== '' || url.password !== '') {
    throw invalid(`The ${what} must not contain a user name or password.`);
  }
  if (url.hostname === '') throw invalid(`The ${what} has no host name.`);
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new Bitrix24Error({
      code: CLIENT_CODES.insecureAddress,
      message: `Refused to use plain http for ${url.host}: the secret would travel unencrypted. Use https://${url.host}/…; plain http is allowed only for this computer (localhost, 127.0.0.1, ::1).`,
    });
  }
  return url;
}

/** The host (with a non-default port): the only part of an address that is safe to show. */
export function labelOf(url: URL): string {
  return url.host;
}

/** Label for any address text; never throws and never returns secrets. */
export function safePortalLabel(text: string): string {
  try {
    return new URL(text.trim()).host || 'portal';
  } catch {
    return 'portal';
  }
}

/**
 * Accepts `https://host/rest/<user>/<code>/`, with or without the trailing slash and with a method name left
 * on the end (`…/<code>/profile.json`), as people paste them from the portal.
 */
export function parseWebhookUrl(text: string): WebhookAddress {
  const url = parseUrl(text, 'webhook address');
  const segments = url.pathname.split('/').filter((segment) => segment !== '');
  const at = findRest(segments);
  if (at === -1) {
    throw invalid(
      `The webhook address for ${url.host} should look like https://${url.host}/rest/<user id>/<code>/ (copy it from Developer resources → Inbound webhook).`,
    );
  }
  const userText = segments[at + 1] ?? '';
  const code = segments[at + 2] ?? '';
  if (!/^\d+$/.test(userText) || Number(userText) <= 0) {
    throw invalid(`The webhook address for ${url.host} needs a numeric user id after /rest/.`);
  }
  if (!/^[A-Za-z0-9_-]+$/.test(code)) {
    throw invalid(`The webhook address for ${url.host} has no valid code after the user id.`);
  }
  // Anything after the code is a method name pasted along with the address; a longer tail is not a webhook.
  if (segments.length > at + 4) {
    throw invalid(`The webhook address for ${url.host} has extra path parts after the code.`);
  }
  const prefix = segments
    .slice(0, at)
    .map((segment) => `${segment}/`)
    .join('');
  return {
    kind: 'webhook',
    baseUrl: `${url.protocol}//${url.host}/${prefix}rest/${userText}/${code}/`,
    label: labelOf(url),
    userId: Number(userText),
    code,
  };
}

function findRest(segments: string[]): number {
  return segments.findIndex((segment, i) => segment === 'rest' && i + 2 < segments.length);
}

/** OAuth `client_endpoint`, e.g. `https://portal.bitrix24.com/rest/`; query and fragment are dropped. */
export function parseClientEndpoint(text: string): EndpointAddress {
  const url = parseUrl(text, 'portal endpoint');
  const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  return { baseUrl: `${url.protocol}//${url.host}${path}`, label: labelOf(url) };
}

/** The OAuth token server (`https://oauth.bitrix.info/oauth/token/` in the cloud). */
export function parseTokenUrl(text: string): URL {
  const url = parseUrl(text, 'OAuth token address');
  url.search = '';
  url.hash = '';
  return url;
}
