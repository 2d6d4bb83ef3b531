// imopenlines.session.*: start, open, join, intercept, pin and silent modes, and a session's history.
import { atom, toInt, upperKeys } from '../format.ts';
import { findSession, isClosed, type OpenLineChat, type SessionRecord, sessionMessages } from '../seed-data.ts';
import { chatObject } from './dialog.ts';
import {
  ACCESS_DENIED_TEXT,
  type MethodContext,
  MethodError,
  type MethodOutput,
  type MethodTable,
  type PortalState,
} from './portal-state.ts';

export function sessionMethods(portal: PortalState): MethodTable {
  return {
    'imopenlines.session.start': (ctx) => sessionStart(portal, ctx),
    'imopenlines.session.open': (ctx) => sessionOpen(portal, ctx),
    'imopenlines.session.join': (ctx) => sessionJoin(portal, ctx),
    'imopenlines.session.intercept': (ctx) => sessionIntercept(portal, ctx),
    'imopenlines.session.history.get': (ctx) => historyGet(portal, ctx),
    'imopenlines.session.mode.pin': (ctx) => pin(portal, ctx, undefined),
    'imopenlines.session.mode.unpin': (ctx) => pin(portal, ctx, false),
    'imopenlines.session.mode.pinAll': (ctx) => pinAll(portal, ctx, true),
    'imopenlines.session.mode.unpinAll': (ctx) => pinAll(portal, ctx, false),
    'imopenlines.session.mode.silent': (ctx) => silent(portal, ctx),
  };
}

function sessionStart(portal: PortalState, ctx: MethodContext): MethodOutput {
  const chat = portal.linesChat(ctx);
  chat.callerIsMember = true;
  if (isClosed(chat.session.status)) {
    portal.newSession(chat, ctx.callerId, Date.now());
    portal.onSessionStart(chat.chatId);
  }
  // On an active session it only joins the caller and still answers true (fact sheet §6.1).
  return { result: true };
}

function sessionOpen(portal: PortalState, ctx: MethodContext): MethodOutput {
  portal.checkCaller(ctx);
  const code = String(upperKeys(ctx.params).USER_CODE ?? '');
  const chat = code === '' ? undefined : portal.byUserCode(code);
  if (!chat || !portal.line(chat.lineId)?.accessible) {
    throw new MethodError('ACCESS_DENIED', 'You do not have access to the chat of this user code');
  }
  return { result: { chatId: String(chat.chatId) } };
}

function sessionJoin(portal: PortalState, ctx: MethodContext): MethodOutput {
  const chat = portal.linesChat(ctx);
  chat.callerIsMember = true;
  return { result: true };
}

function sessionIntercept(portal: PortalState, ctx: MethodContext): MethodOutput {
  portal.checkCaller(ctx);
  const chatId = toInt(upperKeys(ctx.params).CHAT_ID);
  if (!(chatId > 0)) throw new MethodError('CHAT_ID_EMPTY', 'Chat ID can’t be empty');
  const chat = portal.data.chats.get(chatId);
  // Access failures (wrong chat type, no rights, closed dialog) are all folded into OPERATOR_WRONG (§6.5).
  if (!chat || !portal.line(chat.lineId)?.accessible || isClosed(chat.session.status)) {
    throw new MethodError('OPERATOR_WRONG', 'You can not redirect to this operator');
  }
  if (chat.session.operatorId > 0 && chat.session.operatorId !== ctx.callerId) {
    chat.session.operatorId = ctx.callerId;
    chat.callerIsMember = true;
    chat.lastActivity = Date.now();
  }
  return { result: true };
}

function pin(portal: PortalState, ctx: MethodContext, force: boolean | undefined): MethodOutput {
  const chat = portal.linesChat(ctx, 'CHAT_ID_EMPTY');
  const activate = force ?? String(upperKeys(ctx.params).ACTIVATE ?? 'Y').toUpperCase() !== 'N';
  if (!isClosed(chat.session.status)) chat.pinned = activate;
  return { result: true };
}

function pinAll(portal: PortalState, ctx: MethodContext, activate: boolean): MethodOutput {
  portal.checkCaller(ctx);
  const ids: number[] = [];
  for (const chat of portal.data.chats.values()) {
    const { session } = chat;
    if (session.operatorId !== ctx.callerId || isClosed(session.status) || chat.pinned === activate) continue;
    chat.pinned = activate;
    ids.push(session.id);
  }
  return { result: ids.sort((a, b) => b - a) };
}

function silent(portal: PortalState, ctx: MethodContext): MethodOutput {
  const chat = portal.linesChat(ctx);
  chat.silent = String(upperKeys(ctx.params).ACTIVATE ?? '').toUpperCase() === 'Y';
  return { result: true };
}

function historyGet(portal: PortalState, ctx: MethodContext): MethodOutput {
  portal.checkCaller(ctx);
  const params = upperKeys(ctx.params);
  let session: SessionRecord | undefined;
  if (params.SESSION_ID !== undefined) {
    session = findSession(portal.data, toInt(params.SESSION_ID));
    if (!session) throw new MethodError('ACCESS_DENIED', ACCESS_DENIED_TEXT);
  } else if (params.CHAT_ID !== undefined) {
    session = portal.data.chats.get(toInt(params.CHAT_ID))?.session;
    if (!session) throw new MethodError('INVALID_SESSION_ID', 'No session could be found for this chat');
  } else throw new MethodError('MISSING_REQUIRED_PARAM', 'SESSION_ID or CHAT_ID is required');
  const chat = portal.data.chats.get(session.chatId) as OpenLineChat;
  if (!portal.line(chat.lineId)?.accessible) throw new MethodError('ACCESS_DENIED', ACCESS_DENIED_TEXT);
  const messages = sessionMessages(session, chat);
  const message: Record<string, unknown> = {};
  for (const item of messages) {
    message[item.id] = {
      id: item.id,
      chatid: chat.chatId,
      senderid: item.authorId,
      recipientid: `chat${chat.chatId}`,
      date: atom(item.date),
      text: item.text,
      textlegacy: item.text,
      params: item.authorId === 0 ? { CLASS: 'bx-messenger-content-item-ol-output' } : [],
    };
  }
  const userIds = new Set(messages.map((item) => item.authorId).filter((id) => id > 0));
  const users: Record<string, unknown> = {};
  for (const id of userIds) {
    const operator = portal.data.operators.find((op) => op.id === id);
    const name = operator ? `${operator.name} ${operator.lastName}` : chat.visitorName;
    users[id] = {
      id,
      name,
      first_name: operator?.name ?? chat.visitorName,
      last_name: operator?.lastName ?? '',
      work_position: operator?.workPosition ?? '',
      color: '#df532d',
      avatar: '',
      gender: 'M',
      birthday: false,
      extranet: operator === undefined,
      network: false,
      bot: false,
      connector: operator === undefined,
      external_auth_id: operator ? 'default' : 'imconnector',
      status: 'online',
      idle: false,
      last_activity_date: atom(chat.lastActivity),
      desktop_last_date: false,
      mobile_last_date: false,
      departments: operator ? [1] : [],
      absent: false,
      phones: [],
    };
  }
  const chatInfo = chatObject(portal, chat);
  return {
    result: {
      chatId: chat.chatId,
      sessionId: session.id,
      canJoin: isClosed(session.status) ? 'N' : 'Y',
      canVoteHead: 'Y',
      sessionVoteHead: 0,
      sessionCommentHead: null,
      userId: `chat${chat.chatId}`,
      message,
      usersMessage: { [`chat${chat.chatId}`]: messages.map((item) => item.id) },
      users,
      openlines: { canvoteashead: { [chat.lineId]: true } },
      userInGroup: {},
      woUserInGroup: {},
      chat: {
        [chat.chatId]: {
          id: chat.chatId,
          name: chatInfo.name,
          owner: chatInfo.owner,
          color: chatInfo.color,
          type: 'lines',
          entityType: 'LINES',
          entityId: chat.userCode,
          entityData1: chatInfo.entity_data_1,
          entityData2: chatInfo.entity_data_2,
          entityData3: chatInfo.entity_data_3,
          dateCreate: chatInfo.date_create,
          messageType: 'L',
          managerList: chatInfo.manager_list,
        },
      },
      userBlockChat: { [chat.chatId]: [] },
      userInChat: { [chat.chatId]: [...userIds, ctx.callerId] },
      files: [],
    },
  };
}
