// What the supervisor reads when imopenlines.session.start fails: the table's words for a code about the chat, else
// by category.
import { chatErrorText } from '../../../app/contract/index.ts';
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
  const aboutTheChat = chatErrorText(code, chatId);
  if (aboutTheChat) return { code, message: aboutTheChat };
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
