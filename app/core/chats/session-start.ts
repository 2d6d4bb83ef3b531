// Start one session (`imopenlines.session.start`, fact sheet §6.1). The method answers `true` both when it created
// a session and when one was already active (it then only joins the caller), so the chat's session id is read
// before and after: a new id means started, the same id means it was already active.
import type { SessionStartResult } from '../../contract/index.ts';
import type { Bitrix24Client } from '../bitrix24/types.ts';
import { getDialog } from './dialog.ts';

export async function startSession(
  client: Bitrix24Client,
  chatId: number,
  signal?: AbortSignal,
): Promise<SessionStartResult> {
  // Errors of this read are not the user's answer: session.start reports CHAT_ID / CHAT_TYPE / ACCESS_DENIED itself.
  const before = await getDialog(client, chatId, signal).then(
    (dialog) => dialog.sessionId,
    () => null,
  );
  await client.call('imopenlines.session.start', { CHAT_ID: chatId }, { idempotent: false, signal });
  const after = await getDialog(client, chatId, signal);
  const outcome = before !== null && before > 0 && after.sessionId === before ? 'already-active' : 'started';
  return { chatId, outcome, sessionId: after.sessionId };
}
