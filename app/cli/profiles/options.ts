// The flags every `openlines profiles` action is parsed with; each action then refuses the ones it does not take.
import type { ParsedArgs } from '../shared/arguments.ts';

export const OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  name: { type: 'string' },
  id: { type: 'string' },
  auth: { type: 'string' },
  portal: { type: 'string' },
  'user-id': { type: 'string' },
  'client-id': { type: 'string' },
  'client-endpoint': { type: 'string' },
  'token-url': { type: 'string' },
  plan: { type: 'string' },
  'ca-file': { type: 'string' },
  'no-ca': { type: 'boolean' },
  lines: { type: 'string' },
  statuses: { type: 'string' },
  operators: { type: 'string' },
  default: { type: 'boolean' },
  'no-secret': { type: 'boolean' },
  'set-secret': { type: 'boolean' },
  force: { type: 'boolean' },
} as const;

export type Values = ParsedArgs<{ options: typeof OPTIONS; allowPositionals: true }>['values'];
