// `imopenlines.dialog.get` read into what the console needs (fact sheet §6.3).
import type { Bitrix24Client } from '../bitrix24/types.ts';
import { asInt, asIsoDate, asRecord, asText } from './lenient.ts';

export interface DialogInfo {
  chatId: number;
  title: string;
  /** USER_CODE, `<connector>|<LINE_ID>|<CONNECTOR_CHAT_ID>|<CONNECTOR_USER_ID>`. */
  userCode: string;
  /** From entity_data_1 item 6; 0 when the chat has had no session. */
  sessionId: number;
  lineId: number;
  /** The responsible operator; 0 when nobody took the dialog. */
  ownerId: number;
  isOpenLine: boolean;
  dateCreate: string | null;
  /** When the chat's current session was created (entity_data_1 item 7), or null. */
  sessionCreatedAt: string | null;
}

/** `CRM|TYPE|ID|PAUSE|WAIT_ACTION|SESSION_ID|DATE_CREATE|LINE_ID|…` */
export function parseSessionField(field: unknown): { sessionId: number; lineId: number; dateCreate: string | null } {
  const parts = asText(field).split('|');
  return { sessionId: asInt(parts[5]), lineId: asInt(parts[7]), dateCreate: asIsoDate(parts[6]) };
}

export function lineIdFromUserCode(userCode: string): number {
  return asInt(userCode.split('|')[1]);
}

export function parseDialog(raw: unknown): DialogInfo {
  const dialog = asRecord(raw);
  const userCode = asText(dialog.entity_id);
  const session = parseSessionField(dialog.entity_data_1);
  return {
    chatId: asInt(dialog.id),
    title: asText(dialog.name),
    userCode,
    sessionId: session.sessionId,
    lineId: session.lineId || lineIdFromUserCode(userCode),
    ownerId: asInt(dialog.owner),
    isOpenLine: asText(dialog.entity_type).toUpperCase() === 'LINES' || asText(dialog.type) === 'lines',
    dateCreate: asIsoDate(dialog.date_create) ?? session.dateCreate,
    sessionCreatedAt: session.dateCreate,
  };
}

export async function getDialog(client: Bitrix24Client, chatId: number, signal?: AbortSignal): Promise<DialogInfo> {
  const { result } = await client.call('imopenlines.dialog.get', { CHAT_ID: chatId }, { idempotent: true, signal });
  return parseDialog(result);
}
