// Lenient zod schemas for what a portal sends back. Bitrix24 is PHP: empty maps arrive as `[]`, ids as strings
// or numbers, and `time` fields come and go. Anything that is not a Bitrix24 envelope is INVALID_RESPONSE.
import { z } from 'zod';
import { Bitrix24Error, CLIENT_CODES } from './errors.ts';
import type { TimeInfo } from './types.ts';

/** A number that PHP may have sent as a string ("12", "0.83"); anything else reads as absent. */
const looseNumber = z.preprocess((value) => {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}, z.number().optional());

const timeSchema = z.looseObject({
  start: looseNumber,
  finish: looseNumber,
  duration: looseNumber,
  processing: looseNumber,
  operating: looseNumber,
  operating_reset_at: looseNumber,
});

/** A `time` object, or absent when the value is null, missing or not an object. */
const optionalTime = z.preprocess(
  (value) => (value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined),
  timeSchema.optional(),
);

export function toTimeInfo(time: z.infer<typeof timeSchema> | undefined): TimeInfo | undefined {
  if (!time) return undefined;
  const info: TimeInfo = {};
  if (time.start !== undefined) info.start = time.start;
  if (time.finish !== undefined) info.finish = time.finish;
  if (time.duration !== undefined) info.duration = time.duration;
  if (time.processing !== undefined) info.processing = time.processing;
  if (time.operating !== undefined) info.operating = time.operating;
  if (time.operating_reset_at !== undefined) info.operatingResetAt = time.operating_reset_at;
  return info;
}

/** PHP serialises an empty map as `[]` and a map with keys 0..n-1 as a list: both become a plain record. */
function mapOf<T extends z.ZodType>(value: T) {
  return z.preprocess(
    (input) => {
      if (input === null || input === undefined) return {};
      if (Array.isArray(input)) return Object.fromEntries(input.map((item, index) => [String(index), item]));
      return input;
    },
    z.record(z.string(), value),
  );
}

const errorBodySchema = z.union([
  z.looseObject({ error: z.string().min(1), error_description: z.unknown().optional() }),
  // REST v3 shape: {"error":{"code","message"}}.
  z.looseObject({ error: z.looseObject({ code: z.union([z.string(), z.number()]), message: z.unknown().optional() }) }),
]);

const successSchema = z.looseObject({
  result: z.unknown(),
  total: looseNumber,
  next: looseNumber,
  time: optionalTime,
});

const subErrorSchema = z.preprocess(
  (value) => (value !== null && typeof value === 'object' ? value : { error: 'ERROR_UNEXPECTED_ANSWER' }),
  z.union([
    z.looseObject({ error: z.string().min(1), error_description: z.unknown().optional() }),
    z.looseObject({
      error: z.looseObject({ code: z.union([z.string(), z.number()]), message: z.unknown().optional() }),
    }),
    z.looseObject({}).transform(() => ({ error: 'ERROR_UNEXPECTED_ANSWER', error_description: undefined })),
  ]),
);

const batchResultSchema = z.looseObject({
  result: mapOf(z.unknown()),
  result_error: mapOf(subErrorSchema),
  result_total: mapOf(looseNumber),
  result_next: mapOf(looseNumber),
  // Entries can be null or missing (a mock sending null crashed the official SDK).
  result_time: mapOf(optionalTime),
});

export interface ErrorEnvelope {
  code: string;
  description: string | undefined;
}

export interface SuccessEnvelope {
  result: unknown;
  total?: number;
  next?: number;
  time?: TimeInfo;
}

export interface BatchSections {
  result: Record<string, unknown>;
  resultError: Record<string, ErrorEnvelope>;
  resultTotal: Record<string, number | undefined>;
  resultNext: Record<string, number | undefined>;
  resultTime: Record<string, TimeInfo | undefined>;
}

export type ParsedResponse =
  | { ok: true; envelope: SuccessEnvelope }
  | { ok: false; error: ErrorEnvelope; time?: TimeInfo };

function invalidResponse(status: number, why: string, method?: string): Bitrix24Error {
  return new Bitrix24Error({
    code: CLIENT_CODES.invalidResponse,
    status,
    ...(method === undefined ? {} : { method }),
    message: `The portal answered with something that is not a Bitrix24 response (HTTP ${status}, ${why}).`,
  });
}

function descriptionText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return undefined;
  return JSON.stringify(value);
}

function toErrorEnvelope(body: z.infer<typeof errorBodySchema>): ErrorEnvelope {
  if (typeof body.error === 'string') return { code: body.error, description: descriptionText(body.error_description) };
  return { code: String(body.error.code), description: descriptionText(body.error.message) };
}

/** Parses a REST response body; throws INVALID_RESPONSE for HTML, non-JSON or a shape that is neither. */
export function parseResponse(status: number, text: string, method?: string): ParsedResponse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const looksHtml = /^\s*</.test(text);
    throw invalidResponse(status, looksHtml ? 'an HTML page' : 'not JSON', method);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw invalidResponse(status, 'not a JSON object', method);
  }
  const error = errorBodySchema.safeParse(json);
  if (error.success) {
    const time = toTimeInfo(optionalTime.parse((json as { time?: unknown }).time));
    return { ok: false, error: toErrorEnvelope(error.data), ...(time ? { time } : {}) };
  }
  const success = successSchema.safeParse(json);
  if (success.success && 'result' in json) {
    const envelope: SuccessEnvelope = { result: success.data.result };
    if (success.data.total !== undefined) envelope.total = success.data.total;
    if (success.data.next !== undefined) envelope.next = success.data.next;
    const time = toTimeInfo(success.data.time);
    if (time) envelope.time = time;
    return { ok: true, envelope };
  }
  throw invalidResponse(status, 'neither a result nor an error', method);
}

/** The five keyed sections of a `batch` result. */
export function parseBatchSections(result: unknown): BatchSections {
  const parsed = batchResultSchema.safeParse(result ?? {});
  if (!parsed.success) throw invalidResponse(200, 'a batch answer without its result sections', 'batch');
  const resultError: Record<string, ErrorEnvelope> = {};
  for (const [key, value] of Object.entries(parsed.data.result_error)) resultError[key] = toErrorEnvelope(value);
  const resultTime: Record<string, TimeInfo | undefined> = {};
  for (const [key, value] of Object.entries(parsed.data.result_time)) resultTime[key] = toTimeInfo(value);
  return {
    result: parsed.data.result,
    resultError,
    resultTotal: parsed.data.result_total,
    resultNext: parsed.data.result_next,
    resultTime,
  };
}

/** Ids arrive as 12 or "12"; returns undefined for anything that is not a whole number. */
export function parseId(value: unknown): number | undefined {
  const parsed = looseNumber.safeParse(value);
  return parsed.success && parsed.data !== undefined && Number.isInteger(parsed.data) ? parsed.data : undefined;
}
