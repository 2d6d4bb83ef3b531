// One chat: what the list knows, the dialog data and session history from chats.detail, and "Start session".
// Every string from the portal is rendered as React text; nothing from the portal is ever parsed as HTML.
import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import type { ChatRow } from '../../../app/contract/index.ts';
import { isBridgeError } from '../../bridge/index.ts';
import { formatDateTime } from '../../shared/format.ts';
import { DialogHeader, useModalDialog } from '../../shared/modal-dialog.tsx';
import { StartSessionButton } from '../sessions/StartSessionButton.tsx';
import { chatDetailOptions } from './chat.keys.ts';
import { STATUS_LABELS } from './chat-filter.ts';

interface ChatDetailDialogProps {
  profileId: string;
  chatId: number;
  /** The chat's row from the list, when it is there (a chat opened by ID may not be). */
  row: ChatRow | undefined;
  onClose(): void;
}

export function ChatDetailDialog({ profileId, chatId, row, onClose }: ChatDetailDialogProps) {
  const { dialogRef, close } = useModalDialog();
  const headingId = useId();
  const detail = useQuery(chatDetailOptions(profileId, chatId));

  const data = detail.data;
  return (
    <dialog ref={dialogRef} className="chat-detail" aria-labelledby={headingId} onClose={onClose}>
      <DialogHeader headingId={headingId} title={`Chat ${chatId}`} onClose={close} />

      <dl className="facts">
        {data ? (
          <>
            <dt>Title</dt>
            <dd>{data.title}</dd>
            <dt>User code</dt>
            <dd className="code">{data.userCode}</dd>
          </>
        ) : null}
        {row ? (
          <>
            <dt>Visitor</dt>
            <dd>{row.visitor}</dd>
            <dt>Line</dt>
            <dd>{row.lineName}</dd>
            <dt>Status</dt>
            <dd>{STATUS_LABELS[row.status]}</dd>
            <dt>Operator</dt>
            <dd>{row.operatorId === 0 ? 'Unassigned' : row.operatorName}</dd>
          </>
        ) : null}
        <dt>Session ID</dt>
        <dd>{data?.sessionId ?? row?.sessionId ?? 'unknown'}</dd>
      </dl>

      <StartSessionButton profileId={profileId} chatId={chatId} />

      <section aria-labelledby={`${headingId}-history`} className="history">
        <h3 id={`${headingId}-history`}>Session history</h3>
        {detail.isPending ? <p role="status">Loading the session history…</p> : null}
        {detail.isError && !data ? (
          <p role="alert" className="error-message">
            Could not load this chat: {detail.error.message}
            {isBridgeError(detail.error) ? <span className="code"> ({detail.error.code})</span> : null}
          </p>
        ) : null}
        {data && data.messages.length === 0 ? <p>No messages in this session.</p> : null}
        {data && data.messages.length > 0 ? (
          <ol className="messages" aria-label="Session history messages">
            {data.messages.map((message) => (
              <li key={message.id}>
                <div className="message-meta">
                  <span className="author">{message.authorName}</span>{' '}
                  <time dateTime={message.date}>{formatDateTime(message.date)}</time>
                </div>
                <p className="message-text">{message.text}</p>
              </li>
            ))}
          </ol>
        ) : null}
      </section>
    </dialog>
  );
}
