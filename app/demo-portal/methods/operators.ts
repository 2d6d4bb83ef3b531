// imopenlines.operator.*: answer, skip, close (own, another's, as spam) and transfer a dialog.
import { toInt, upperKeys } from '../format.ts';
import { isClosed, STATUS } from '../seed-data.ts';
import {
  type MethodContext,
  MethodError,
  type MethodOutput,
  type MethodTable,
  type PortalState,
} from './portal-state.ts';

export function operatorMethods(portal: PortalState): MethodTable {
  return {
    'imopenlines.operator.answer': (ctx) => operatorAnswer(portal, ctx),
    'imopenlines.operator.skip': (ctx) => operatorSkip(portal, ctx),
    'imopenlines.operator.spam': (ctx) => close(portal, ctx, 'spam'),
    'imopenlines.operator.finish': (ctx) => close(portal, ctx, 'finish'),
    'imopenlines.operator.another.finish': (ctx) => close(portal, ctx, 'another'),
    'imopenlines.operator.transfer': (ctx) => transfer(portal, ctx),
  };
}

function operatorAnswer(portal: PortalState, ctx: MethodContext): MethodOutput {
  const chat = portal.linesChat(ctx);
  if (isClosed(chat.session.status)) throw new MethodError('ACCESS_DENIED', 'The dialog is already closed');
  chat.session.operatorId = ctx.callerId;
  chat.session.status = STATUS.answer;
  chat.session.dateFirstAnswer ??= Date.now();
  chat.callerIsMember = true;
  chat.lastActivity = Date.now();
  return { result: true };
}

function operatorSkip(portal: PortalState, ctx: MethodContext): MethodOutput {
  const chat = portal.linesChat(ctx);
  if (isClosed(chat.session.status)) throw new MethodError('ACCESS_DENIED_KICK', 'The dialog cannot be handed over');
  chat.session.operatorId = 0;
  chat.session.status = STATUS.skip;
  chat.lastActivity = Date.now();
  return { result: true };
}

function close(portal: PortalState, ctx: MethodContext, how: 'spam' | 'finish' | 'another'): MethodOutput {
  const chat = portal.linesChat(ctx);
  if (isClosed(chat.session.status)) return { result: true };
  if (how === 'spam') portal.closeSession(chat, STATUS.spam, 'spam');
  else if (how === 'another') portal.closeSession(chat, STATUS.close, 'operator');
  else if (chat.session.operatorId !== ctx.callerId) {
    throw new MethodError('ACCESS_DENIED', 'Only the dialog’s own operator can finish it');
  } else portal.closeSession(chat, STATUS.close, 'operator');
  return { result: true };
}

function transfer(portal: PortalState, ctx: MethodContext): MethodOutput {
  portal.checkCaller(ctx);
  const params = upperKeys(ctx.params);
  const chatId = toInt(params.CHAT_ID);
  if (!(chatId > 0)) throw new MethodError('CHAT_ID_EMPTY', 'Chat ID can’t be empty');
  let userId = toInt(params.USER_ID);
  let queueId = toInt(params.QUEUE_ID);
  const transferId = params.TRANSFER_ID === undefined ? '' : String(params.TRANSFER_ID);
  // A target that was named but holds no id is refused by its kind; naming none at all is TRANSFER_ID_EMPTY
  // (fact sheet §6: the four codes; which one when is our reading of the source, UNCONFIRMED).
  if (transferId.startsWith('queue')) {
    queueId = toInt(transferId.slice(5));
    if (!(queueId > 0)) throw new MethodError('QUEUE_ID_EMPTY', 'Queue ID can’t be empty');
  } else if (transferId !== '') {
    userId = toInt(transferId);
    if (!(userId > 0)) throw new MethodError('USER_ID_EMPTY', 'User ID can’t be empty');
  } else if (params.USER_ID !== undefined && !(userId > 0) && !(queueId > 0)) {
    throw new MethodError('USER_ID_EMPTY', 'User ID can’t be empty');
  } else if (params.QUEUE_ID !== undefined && !(queueId > 0) && !(userId > 0)) {
    throw new MethodError('QUEUE_ID_EMPTY', 'Queue ID can’t be empty');
  }
  if (!(userId > 0) && !(queueId > 0)) throw new MethodError('TRANSFER_ID_EMPTY', 'Queue ID or User ID can’t be empty');
  const chat = portal.data.chats.get(chatId);
  const wrong = new MethodError('OPERATOR_WRONG', 'You can not redirect to this operator');
  if (!chat || !portal.line(chat.lineId)?.accessible || isClosed(chat.session.status)) throw wrong;
  if (userId > 0) {
    if (userId === ctx.callerId || !portal.data.operators.some((op) => op.id === userId)) throw wrong;
    chat.session.operatorId = userId;
  } else {
    const target = portal.line(queueId);
    if (!target?.accessible || !target.active) throw wrong;
    chat.lineId = target.id;
    chat.session.lineId = target.id;
    chat.session.operatorId = 0;
    chat.session.status = STATUS.new;
  }
  chat.lastActivity = Date.now();
  return { result: true };
}
