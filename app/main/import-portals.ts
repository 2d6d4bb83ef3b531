// File → "Import portals…": the chosen provisioning file goes through the same profiles.import handler as the
// console's own import (which emits profiles.changed, forwarded to the windows), and the outcome becomes a message box.
import type { MenuItemConstructorOptions } from 'electron';
import type { ChannelOutput } from '../contract/index.ts';
import type { Dispatch } from '../handlers/dispatcher.ts';

export interface ImportOutcome {
  type: 'info' | 'warning' | 'error';
  message: string;
  detail: string;
}

export interface ImportPortalsDeps {
  dispatch: Dispatch;
  readText(file: string): Promise<string>;
}

export async function importPortalsFile(file: string, deps: ImportPortalsDeps): Promise<ImportOutcome> {
  let text: string;
  try {
    text = await deps.readText(file);
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    return { type: 'error', message: 'Could not read the provisioning file.', detail: `${file}: ${reason}` };
  }
  const result = await deps.dispatch('profiles.import', { text });
  if (!result.ok) return { type: 'error', message: 'Could not import the portals.', detail: result.error.message };
  return outcomeOf(result.data as ChannelOutput<'profiles.import'>);
}

export function outcomeOf(report: ChannelOutput<'profiles.import'>): ImportOutcome {
  const imported =
    report.imported.length > 0
      ? `Imported ${report.imported.length} portal(s): ${report.imported.join(', ')}. Each asks for its webhook on first use.`
      : 'No portal was imported.';
  const rejected = report.rejected.map(
    (entry) => `${entry.index < 0 ? 'The file' : `Entry ${entry.index}`}: ${entry.field} ${entry.reason}`,
  );
  return {
    type: rejected.length > 0 ? 'warning' : 'info',
    message: imported,
    detail: rejected.length > 0 ? [`${rejected.length} rejected:`, ...rejected].join('\n') : '',
  };
}

/** The application menu: File holds "Import portals…"; Edit keeps copy and paste working on macOS. */
export function applicationMenuTemplate(
  platform: NodeJS.Platform,
  onImportPortals: () => void,
): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  return [
    ...(mac ? [{ role: 'appMenu' } as const] : []),
    {
      label: '&File',
      submenu: [
        { label: 'Import portals…', click: onImportPortals },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { role: 'windowMenu' },
  ];
}
