// A tiny scripted HTTP server for the engine's unit tests: each test says what the "portal" answers and reads
// back what the client really sent.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const STUB_CODE = 'stubWebhookSecret42';

export interface StubRequest {
  /** Path after `/rest/<user>/<code>/`, i.e. the Bitrix24 method. */
  method: string;
  path: string;
  httpMethod: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the client sent.
  body: any;
  receivedAt: number;
}

export type StubHandler = (request: StubRequest, res: http.ServerResponse, index: number) => void | Promise<void>;

export interface StubPortal {
  origin: string;
  webhookUrl: string;
  requests: StubRequest[];
  server: http.Server;
  close(): Promise<void>;
}

export function answer(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

export async function startStubPortal(handler: StubHandler, host = '127.0.0.1'): Promise<StubPortal> {
  const requests: StubRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = raw === '' ? {} : JSON.parse(raw);
      } catch {
        body = raw;
      }
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const request: StubRequest = {
        method: path.split('/').filter(Boolean).pop() ?? '',
        path,
        httpMethod: req.method ?? 'GET',
        body,
        receivedAt: Date.now(),
      };
      requests.push(request);
      Promise.resolve(handler(request, res, requests.length - 1)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    webhookUrl: `${origin}/rest/1/${STUB_CODE}/`,
    requests,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A batch answer in PHP's shapes: empty sections as `[]`. */
export function batchAnswer(sections: {
  result?: Record<string, unknown>;
  result_error?: Record<string, { error: string; error_description?: string }>;
  result_time?: Record<string, unknown>;
}): unknown {
  const orEmpty = (value: Record<string, unknown> | undefined) => (value && Object.keys(value).length > 0 ? value : []);
  return {
    result: {
      result: orEmpty(sections.result),
      result_error: orEmpty(sections.result_error),
      result_total: [],
      result_next: [],
      result_time: orEmpty(sections.result_time),
    },
    time: { start: 1, finish: 1.01, duration: 0.01, processing: 0.01 },
  };
}

/** Reads `cmd` of a batch request back into key → method. */
export function batchCommands(request: StubRequest): Record<string, string> {
  const cmd = (request.body as { cmd?: Record<string, string> }).cmd ?? {};
  return Object.fromEntries(Object.entries(cmd).map(([key, value]) => [key, value.split('?')[0] ?? '']));
}
