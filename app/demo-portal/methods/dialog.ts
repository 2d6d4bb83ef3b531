// imopenlines.dialog.get, and the snake_case chat object it shares with im.recent items and the history.
import { atom, toInt, unixSeconds, upperKeys } from '../format.ts';
import { findSession, isClosed, type OpenLineChat, sessionMessages } from '../seed-data.ts';
import {
  type MethodContext,
  MethodError,
  type MethodOutput,
  type MethodTable,
  type PortalState,
} from './portal-state.ts';

export function dialogMethods(portal: PortalState): MethodTable {
  return {
    'imopenlines.dialog.get': (ctx) => dialogGet(portal, ctx),
  };
}

export function entityData1(_portal: PortalState, chat: OpenLineChat): string {
  const { session } = chat;
  const crm = chat.crmLeadId > 0;
  return [
    crm ? 'Y' : 'N',
    crm ? 'LEAD' : 'NONE',
    crm ? chat.crmLeadId : 0,
    chat.pinned ? 'Y' : 'N',
    'N',
    session.id,
    unixSeconds(session.dateCreate),
    chat.lineId,
    0,
    0,
  ].join('|');
}

function chatName(portal: PortalState, chat: OpenLineChat): string {
  return `${chat.visitorName} - ${portal.line(chat.lineId)?.name ?? 'Open line'}`;
}

/** The snake_case chat object of dialog.get and of im.recent items. */
export function chatObject(portal: PortalState, chat: OpenLineChat): Record<string, unknown> {
  const { session } = chat;
  const messages = sessionMessages(session, chat);
  const lastId = messages[messages.length - 1]?.id ?? 0;
  return {
    id: chat.chatId,
    parent_chat_id: 0,
    parent_message_id: 0,
    name: chatName(portal, chat),
    description: '',
    owner: isClosed(session.status) ? 0 : session.operatorId,
    extranet: false,
    avatar: '',
    color: '#4ba984',
    type: 'lines',
    entity_type: 'LINES',
    entity_id: chat.userCode,
    entity_data_1: entityData1(portal, chat),
    entity_data_2: chat.crmLeadId > 0 ? `LEAD|${chat.crmLeadId}|COMPANY|0|CONTACT|0|DEAL|0` : '',
    entity_data_3: chat.silent ? 'Y' : 'N',
    entity_link: { type: 'LINES', url: '', id: chat.userCode },
    disk_folder_id: 0,
    date_create: atom(session.dateCreate),
    message_type: 'L',
    public: '',
    // Lower case, as the messenger answers it (and `dialog_id` is the chat's dialog id).
    role: chat.callerIsMember ? 'member' : 'none',
    dialog_id: `chat${chat.chatId}`,
    manager_list: session.operatorId > 0 ? [session.operatorId] : [],
    counter: 0,
    user_counter: session.operatorId > 0 ? 2 : 1,
    message_count: messages.length,
    last_message_id: lastId,
    last_id: lastId,
    unread_id: 0,
    marked_id: 0,
    mute_list: [],
    restrictions: {
      avatar: true,
      extend: true,
      leave: true,
      leave_owner: true,
      rename: true,
      send: true,
      user_list: true,
    },
    permissions: {
      manage_users_add: 'member',
      manage_users_delete: 'manager',
      manage_ui: 'member',
      manage_settings: 'owner',
    },
    readed_list: [],
    last_message_views: { message_id: lastId, first_viewers: [], count_of_viewers: 0 },
    text_field_enabled: true,
    background_id: null,
    is_new: false,
  };
}

function dialogGet(portal: PortalState, ctx: MethodContext): MethodOutput {
  const params = upperKeys(ctx.params);
  let chat: OpenLineChat | undefined;
  if (params.CHAT_ID !== undefined) chat = portal.data.chats.get(toInt(params.CHAT_ID));
  else if (params.DIALOG_ID !== undefined) {
    const match = /^chat(\d+)$/.exec(String(params.DIALOG_ID));
    chat = match ? portal.data.chats.get(Number(match[1])) : undefined;
  } else if (params.SESSION_ID !== undefined) {
    const session = findSession(portal.data, toInt(params.SESSION_ID));
    chat = session ? portal.data.chats.get(session.chatId) : undefined;
  } else if (params.USER_CODE !== undefined) chat = portal.byUserCode(String(params.USER_CODE));
  else throw new MethodError('DIALOG_ID_EMPTY', "Dialog ID can't be empty");
  // Not found and forbidden are indistinguishable on purpose (§6.3).
  if (!chat || !portal.line(chat.lineId)?.accessible) {
    throw new MethodError('ACCESS_ERROR', 'You do not have access to the specified dialog');
  }
  return { result: chatObject(portal, chat) };
}
