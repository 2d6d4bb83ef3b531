// What a REST request carries: its body (capped, as the portal's web server caps it) read as JSON or as PHP's
// form encoding, the way `$_REQUEST` would see it.
import type http from 'node:http';
import { parsePhpQuery } from './php-query.ts';

const MAX_BODY_BYTES = 16 * 1024 * 1024;

export async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error('body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function parseBody(contentType: string | undefined, body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('json') || (!type.includes('form') && /^\s*[{[]/.test(body))) {
    try {
      const parsed: unknown = JSON.parse(body);
      // Like PHP's json_decode into $_REQUEST: a non-object body carries no params.
      return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : {};
    } catch {
      return {};
    }
  }
  return parsePhpQuery(body);
}
