export { readChatDetail } from './chat-detail.ts';
export { ChatLister, type ChatListOptions } from './chat-list.ts';
export { startSession } from './session-start.ts';
export { isActiveStatus, sessionStatusOf } from './session-status.ts';
