// The browser host: the built renderer and the shared dispatcher over one WebSocket, for a browser on this computer.
// It binds 127.0.0.1 only, admits a socket only with the random token made at this start, and only when `Origin`
// and `Host` name the host itself, so another site open in the same browser cannot drive it.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { HOST_SOCKET_PATH, type HostMessage, hostRequestSchema } from '../contract/index.ts';
import type { Backend } from '../handlers/backend.ts';
import { contentTypeOf, rendererRelativePath, securityHeaders } from './static-files.ts';

export const HOST_ADDRESS = '127.0.0.1';

export interface HostOptions {
  backend: Backend;
  /** The built renderer (dist/renderer). */
  rendererRoot: string;
  /** 0 or absent: any free port. */
  port?: number;
  log?: (line: string) => void;
}

export interface RunningHost {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  port: number;
  token: string;
  /** The address to open: `http://127.0.0.1:PORT/#token=TOKEN`. */
  url: string;
  close(): Promise<void>;
}

/** The one line `serve` prints; the browser e2e specs read it. */
export function announcement(host: Pick<RunningHost, 'url'>): string {
  return `Open Lines Console: ${host.url}`;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Constant-time token comparison (hashing first makes the lengths equal). */
export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  return timingSafeEqual(digest(expected), digest(given));
}

// cache.save, the largest request, carries up to 50,000,000 characters (a 50,000-chat cache is far smaller);
// a larger message closes its socket before it is buffered whole.
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** The upgrade target as a URL, or null when it is not an origin-relative path that parses. */
function socketUrl(target: string | undefined, origin: string): URL | null {
  if (target === undefined || !target.startsWith('/') || target.startsWith('//')) return null;
  try {
    return new URL(target, origin);
  } catch {
    return null;
  }
}

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const log = options.log ?? (() => {});
  const token = randomBytes(32).toString('base64url');
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  let origin = '';
  let hostHeader = '';

  const server: Server = createServer((request, response) => {
    void serveFile(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500, securityHeaders());
      response.end();
    });
  });

  async function serveFile(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const headers = securityHeaders([`ws://${hostHeader}`]);
    if (request.headers.host !== hostHeader) {
      response.writeHead(421, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('This console answers only at its own address.');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { ...headers, Allow: 'GET, HEAD' });
      response.end();
      return;
    }
    const url = new URL(request.url ?? '/', origin);
    const relative = rendererRelativePath(url.pathname);
    if (relative === null) {
      response.writeHead(404, headers);
      response.end();
      return;
    }
    const file = path.join(options.rendererRoot, relative);
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      response.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('Not found');
      return;
    }
    response.writeHead(200, {
      ...headers,
      'Content-Type': contentTypeOf(file),
      'Cache-Control': relative === 'index.html' ? 'no-store' : 'no-cache',
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  }

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refuse = (status: number, reason: string) => {
      log(`refused a socket: ${reason}`);
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    // A broken connection must cost only itself: without a listener its error would end the process.
    socket.on('error', (error) => log(`a refused socket failed: ${error.message}`));
    const url = socketUrl(request.url, origin);
    if (url === null) return refuse(400, 'Bad Request');
    if (url.pathname !== HOST_SOCKET_PATH) return refuse(404, 'Not Found');
    if (request.headers.host !== hostHeader) return refuse(403, 'Forbidden Host');
    if (request.headers.origin !== origin) return refuse(403, 'Forbidden Origin');
    if (!tokenMatches(token, url.searchParams.get('token'))) return refuse(401, 'Unauthorized');
    sockets.handleUpgrade(request, socket, head, (ws) => sockets.emit('connection', ws, request));
  });

  sockets.on('connection', (ws: WebSocket) => {
    // A protocol violation (bad UTF-8, unmasked or reserved frames, an oversized message) closes this socket only.
    ws.on('error', (error) => log(`closed a socket that broke the protocol: ${error.message}`));
    const send = (message: HostMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    const unsubscribe = options.backend.services.subscribe((event, payload) => send({ event, payload }));
    ws.on('close', unsubscribe);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let request: ReturnType<typeof hostRequestSchema.parse>;
      try {
        request = hostRequestSchema.parse(JSON.parse(data.toString()));
      } catch {
        log('ignored a socket message that is not a request');
        return;
      }
      void options.backend.dispatch(request.channel, request.input).then((result) => send({ id: request.id, result }));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST_ADDRESS, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  hostHeader = `${HOST_ADDRESS}:${port}`;
  origin = `http://${hostHeader}`;

  return {
    origin,
    port,
    token,
    url: `${origin}/#token=${token}`,
    close: async () => {
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
