// One keep-alive connection pool per portal over node:http/https. Redirects are never followed (a POST would
// lose its body and the secret would go to another host); network failures are sorted by whether the request
// could have run on the portal.
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import tls from 'node:tls';
import { redact } from '../redact.ts';
import { Bitrix24Error, CLIENT_CODES } from './errors.ts';
import { isLoopbackHost } from './portal-address.ts';

export interface HttpRequest {
  url: URL;
  method: 'GET' | 'POST';
  /** JSON text for POST. */
  body?: string;
  timeoutMs: number;
  /** Aborts only before the request is written; once sent, its fate is waited for (bounded by the time-out). */
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  body: string;
  /** Wall-clock milliseconds from sending to the last byte. */
  elapsedMs: number;
}

/**
 * Thrown when the connection failed before the request body was written: the portal cannot have run it, so
 * sending again is safe. The client turns repeated ones into PORTAL_UNREACHABLE.
 */
export class NotSentError extends Error {
  override readonly name = 'NotSentError';
  constructor(readonly reason: string) {
    super(`The request was not sent (${reason}).`);
  }
}

/**
 * The largest answer read. The largest legitimate one the console asks for is a batch of 50 `dialog.get` (62 KB on
 * the demo portal) or a page of 200 sessions (100 KB); history reads reach 150 KB. 32 MiB is over 100 times that,
 * and keeps a portal (or anything posing as one) from filling the memory with an endless answer.
 */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/** Idle keep-alive sockets are dropped after this long, or earlier when the server announces a shorter time. */
const IDLE_SOCKET_MS = 15_000;

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
]);

function isTlsError(code: string | undefined, message: string): boolean {
  if (!code) return /certificate|SSL|TLS/i.test(message);
  return (
    code.startsWith('ERR_TLS') ||
    code.startsWith('ERR_SSL') ||
    code.includes('CERT') ||
    code.startsWith('UNABLE_TO_') ||
    code.includes('SELF_SIGNED') ||
    code === 'EPROTO'
  );
}

/** A cause without request details: Node network errors carry no path, but nothing is left to chance. */
function safeCause(error: unknown, secrets: readonly string[]): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const cause = new Error(redact(code ? `${code}: ${message}` : message, secrets));
  cause.name = 'NetworkError';
  return cause;
}

export interface HttpTransportOptions {
  caCertificatePem?: string;
  /** Values masked in any text this transport produces. */
  secrets: () => readonly string[];
  maxSockets?: number;
  /** The largest answer read (MAX_RESPONSE_BYTES by default). */
  maxResponseBytes?: number;
  /** Name resolution (dns.lookup unless a test stands in for the system resolver). */
  lookup?: LookupFunction;
}

/** Raised by the plain-http resolver when a name that looked local resolves to another computer. */
const NOT_LOOPBACK = 'ERR_OPENLINES_NOT_LOOPBACK';
/** Raised while reading an answer that grew past the cap. */
const TOO_LARGE = 'ERR_OPENLINES_TOO_LARGE';

/**
 * Resolves like `lookup`, but only to this computer. Plain http is allowed for `localhost` names, yet the system
 * may resolve such a name through DNS to anywhere; the address actually connected to is what must be local.
 */
export function loopbackOnly(lookup: LookupFunction): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) {
        callback(error, '', 0);
        return;
      }
      const found = Array.isArray(addresses) ? addresses : [{ address: String(addresses), family: 0 }];
      const outside = found.find((entry) => !isLoopbackHost(entry.address));
      const first = found[0];
      if (outside || !first) {
        const problem = new Error(`${hostname} resolves to ${outside?.address ?? 'nothing'}, not to this computer`);
        callback(Object.assign(problem, { code: NOT_LOOPBACK }), '', 0);
      } else if (options.all) {
        (callback as unknown as (error: null, all: dns.LookupAddress[]) => void)(null, found);
      } else {
        callback(null, first.address, first.family);
      }
    });
  };
}

export class HttpTransport {
  private readonly httpsAgent: https.Agent;
  private readonly httpAgent: http.Agent;

  constructor(private readonly options: HttpTransportOptions) {
    const maxSockets = options.maxSockets ?? 16;
    const ca = options.caCertificatePem ? [...tls.rootCertificates, options.caCertificatePem] : undefined;
    // An idle timeout is needed for Node to honour the server's `Keep-Alive: timeout=N` hint at all; without it
    // an idle socket the server already closed is reused and the request dies as an ambiguous reset.
    const timeout = IDLE_SOCKET_MS;
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets, timeout, ...(ca ? { ca } : {}) });
    // Plain http carries the secret in the clear: it may only ever connect to this computer.
    const lookup = loopbackOnly(options.lookup ?? (dns.lookup as LookupFunction));
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets, timeout, lookup } as http.AgentOptions);
  }

  close(): void {
    this.httpsAgent.destroy();
    this.httpAgent.destroy();
  }

  request(req: HttpRequest): Promise<HttpResponse> {
    const secrets = this.options.secrets();
    const host = req.url.host;
    if (req.signal?.aborted) return Promise.reject(abortedError());
    return new Promise<HttpResponse>((resolve, reject) => {
      const isHttps = req.url.protocol === 'https:';
      const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
      const headers: Record<string, string | number> = { Accept: 'application/json' };
      if (body) {
        headers['Content-Type'] = 'application/json; charset=utf-8';
        headers['Content-Length'] = body.length;
      }
      const started = Date.now();
      let written = false;
      let settled = false;
      const finish = (error: Error | null, response?: HttpResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else if (response) resolve(response);
      };
      const options: https.RequestOptions = {
        method: req.method,
        protocol: req.url.protocol,
        hostname: req.url.hostname.replace(/^\[|\]$/g, ''),
        port: req.url.port || (isHttps ? 443 : 80),
        path: `${req.url.pathname}${req.url.search}`,
        headers,
        agent: isHttps ? this.httpsAgent : this.httpAgent,
      };
      const maxBytes = this.options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
      const request = (isHttps ? https : http).request(options, (res) => {
        const chunks: Buffer[] = [];
        let received = 0;
        const tooLarge = () => fail(Object.assign(new Error('answer too large'), { code: TOO_LARGE }));
        if (Number(res.headers['content-length']) > maxBytes) {
          tooLarge();
          return;
        }
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > maxBytes) tooLarge();
          else chunks.push(chunk);
        });
        res.on('error', (error) => fail(error));
        res.on('close', () => {
          if (!res.complete) fail(Object.assign(new Error('response cut off'), { code: 'ECONNRESET' }));
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 300 && status < 400) {
            finish(redirectError(status, res.headers.location, req.url));
            return;
          }
          finish(null, { status, body: Buffer.concat(chunks).toString('utf8'), elapsedMs: Date.now() - started });
        });
      });
      const fail = (error: unknown) => {
        const code = (error as NodeJS.ErrnoException | undefined)?.code;
        const message = error instanceof Error ? error.message : String(error);
        if (code === TOO_LARGE) {
          finish(
            new Bitrix24Error({
              code: CLIENT_CODES.tooLarge,
              message: `The portal ${host} sent an answer larger than ${Math.round(maxBytes / 1024 / 1024)} MiB; it was dropped (no Bitrix24 answer is that large), and the request may have taken effect.`,
            }),
          );
        } else if (code === NOT_LOOPBACK) {
          finish(
            new Bitrix24Error({
              code: CLIENT_CODES.insecureAddress,
              message: `Refused to use plain http for ${host}: ${message}, and the secret would travel unencrypted. Use https://${host}/….`,
            }),
          );
        } else if (code && UNREACHABLE_CODES.has(code)) {
          finish(
            new Bitrix24Error({
              code: CLIENT_CODES.unreachable,
              message: `The portal ${host} cannot be reached (${code}). Check the address and the network.`,
              cause: safeCause(error, secrets),
            }),
          );
        } else if (isTlsError(code, message)) {
          finish(
            new Bitrix24Error({
              code: CLIENT_CODES.tlsFailure,
              message: `The certificate of ${host} was not trusted (${code ?? 'TLS error'}). For an on-premise portal behind a private CA, add its CA certificate to the profile.`,
              cause: safeCause(error, secrets),
            }),
          );
        } else if (!written) {
          finish(new NotSentError(code ?? 'connection failed'));
        } else if (code === 'ETIMEDOUT_CLIENT') {
          finish(
            new Bitrix24Error({
              code: CLIENT_CODES.timeout,
              message: `The portal ${host} did not answer within ${Math.round(req.timeoutMs / 1000)} s; the request may have taken effect.`,
            }),
          );
        } else {
          finish(
            new Bitrix24Error({
              code: CLIENT_CODES.connectionReset,
              message: `The connection to ${host} dropped after the request was sent (${code ?? 'reset'}); it may have taken effect.`,
              cause: safeCause(error, secrets),
            }),
          );
        }
        request.destroy();
      };
      const timer = setTimeout(() => {
        if (!written) fail(Object.assign(new Error('connect timed out'), { code: 'ETIMEDOUT' }));
        else fail(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT_CLIENT' }));
      }, req.timeoutMs);
      const onAbort = () => {
        if (written) return;
        finish(abortedError());
        request.destroy();
      };
      req.signal?.addEventListener('abort', onAbort, { once: true });
      request.on('error', fail);
      // 'finish' fires once the whole request is handed to the socket: from then on the portal may run it.
      request.on('finish', () => {
        written = true;
      });
      request.end(body);
    });
  }
}

function abortedError(): Bitrix24Error {
  return new Bitrix24Error({ code: CLIENT_CODES.aborted });
}

function redirectError(status: number, location: string | undefined, from: URL): Bitrix24Error {
  let target: URL | undefined;
  try {
    target = location ? new URL(location, from) : undefined;
  } catch {
    target = undefined;
  }
  if (!target || target.host === from.host) {
    // A redirect to itself is how a portal with an expired licence or under maintenance answers.
    return new Bitrix24Error({
      code: CLIENT_CODES.unreachable,
      status,
      message: `The portal ${from.host} is not available (it redirects to its own pages: licence expired or maintenance?).`,
    });
  }
  return new Bitrix24Error({
    code: CLIENT_CODES.moved,
    status,
    message: `The portal ${from.host} has moved to ${target.host}. Update the profile with the new address.`,
  });
}
