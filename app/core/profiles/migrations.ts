// Older profiles.json shapes, and the steps that bring them to the current schema one version at a time.
import { z } from 'zod';
import { PROFILES_SCHEMA_VERSION, uniqueId } from './schema.ts';

/**
 * Version 0, the prototype's file (no `schemaVersion`): webhook portals keyed by name.
 * `{ "default": "Main office", "portals": [{ "name", "host", "userId", "plan"?, "lines"? }] }`
 */
const v0Schema = z.object({
  default: z.string().optional(),
  portals: z.array(
    z.object({
      name: z.string(),
      host: z.string(),
      userId: z.union([z.number(), z.string()]),
      plan: z.enum(['standard', 'enterprise']).optional(),
      lines: z.array(z.number()).optional(),
    }),
  ),
});

function v0ToV1(raw: unknown): unknown {
  const v0 = v0Schema.parse(raw);
  const taken = new Set<string>();
  const profiles = v0.portals.map((portal) => {
    const id = uniqueId(portal.name, taken);
    taken.add(id);
    return {
      id,
      name: portal.name,
      // v0 kept a bare host; the v1 schema turns it into an https origin and validates it.
      portal: portal.host,
      auth: { kind: 'webhook', userId: portal.userId },
      plan: portal.plan ?? 'detect',
      defaultFilters: { lineIds: portal.lines ?? [], statuses: [], operatorIds: [] },
    };
  });
  const defaultIndex = v0.default === undefined ? -1 : v0.portals.findIndex((p) => p.name === v0.default);
  return {
    schemaVersion: 1,
    defaultProfileId: defaultIndex >= 0 ? (profiles[defaultIndex]?.id ?? null) : (profiles[0]?.id ?? null),
    profiles,
    provisioning: [],
  };
}

/** Each step takes a file of version N (the key) and returns version N + 1. */
const STEPS: Record<number, (raw: unknown) => unknown> = { 0: v0ToV1 };

/** The version a raw file claims: its `schemaVersion`, or 0 for the prototype shape; null when unrecognisable. */
export function detectVersion(raw: unknown): number | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const record = raw as Record<string, unknown>;
  if ('schemaVersion' in record) {
    return typeof record.schemaVersion === 'number' && Number.isInteger(record.schemaVersion)
      ? record.schemaVersion
      : null;
  }
  return Array.isArray(record.portals) ? 0 : null;
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/** Brings a raw file of `fromVersion` to the current version (still unvalidated: the caller parses the result). */
export function migrate(raw: unknown, fromVersion: number): unknown {
  let current = raw;
  for (let version = fromVersion; version < PROFILES_SCHEMA_VERSION; version++) {
    const step = STEPS[version];
    if (!step) throw new MigrationError(`no migration from schema version ${version}`);
    try {
      current = step(current);
    } catch (error) {
      if (error instanceof z.ZodError) {
        const where = error.issues.map((i) => i.path.join('.') || '(file)').join(', ');
        throw new MigrationError(`the version-${version} file has unexpected fields (${where})`);
      }
      throw error;
    }
  }
  return current;
}
