// What the supervisor reads when imopenlines.session.start fails: one message per documented code, then by category.
import { isBridgeError } from '../../bridge/index.ts';

export interface StartErrorMessage {
  code: string;
  message: string;
}

export function startSessionErrorMessage(error: unknown, chatId: number): StartErrorMessage {
  if (!isBridgeError(error)) {
    return { code: 'UNKNOWN', message: `The session on chat ${chatId} could not be started: ${String(error)}` };
  }
  const code = error.code.toUpperCase();
  switch (code) {
    case 'CHAT_ID':
      return {
        code,
        message: `Chat ${chatId} does not exist on the portal. Check the chat ID; the chat may have been deleted.`,
      };
    case 'CHAT_TYPE':
      return { code, message: `Chat ${chatId} is not an open-line chat, so no session can be started in it.` };
    case 'ACCESS_DENIED':
      return {
        code,
        message: `You have no access to chat ${chatId}. Ask a portal administrator for rights to its open line.`,
      };
    case 'USER_ID':
      return {
        code,
        message: "The portal could not tell which user is calling. Check that the profile's webhook user is active.",
      };
  }
  switch (error.category) {
    case 'unreachable':
      return { code, message: 'The portal cannot be reached, so no session was started. Try again once it answers.' };
    case 'retry':
    case 'wait-reset':
      return { code, message: `The portal is busy and did not start the session. ${error.message}` };
    case 'reauth':
      return { code, message: `The portal refused this profile's credentials. ${error.message}` };
    case 'blocked':
      return { code, message: `The portal has stopped accepting requests from this console. ${error.message}` };
    case 'ambiguous':
      return {
        code,
        message: `The portal did not confirm whether the session started. The list refreshes to show what happened. ${error.message}`,
      };
    default:
      return { code, message: error.message };
  }
}
