// The chats toolbar's actions that open a new run: restart the selected chats, every chat the filters match, or a
// list of ids.
import { useId } from 'react';
import { type ChatSelection, useChatSelection } from '../chats/chat-selection.tsx';
import { PORTAL_UNAVAILABLE_REASON_ID, usePortalAvailability } from '../connection/use-portal-availability.ts';
import { useRunWorkspace } from './run-workspace-context.tsx';

/** The first chats a run acts on, by name, for its preview. */
const LISTED_CHATS = 10;

function briefs(selection: ChatSelection, ids: readonly number[]) {
  return ids.slice(0, LISTED_CHATS).map((chatId) => {
    const row = selection.rowOf(chatId);
    return { chatId, visitor: row?.visitor ?? '', lineName: row?.lineName ?? '' };
  });
}

export function NewRunActions() {
  const selection = useChatSelection();
  const workspace = useRunWorkspace();
  const availability = usePortalAvailability(selection.profileId);
  const hintId = useId();
  const selected = selection.selectedIds.size;
  const matching = selection.filteredIds.length;
  const hidden = selection.hiddenCount;
  // A run needs the portal: while it is away the buttons say why instead of starting a run that cannot go on.
  const offline = !availability.available;
  const offlineProps = offline
    ? { title: availability.reason ?? undefined, 'aria-describedby': PORTAL_UNAVAILABLE_REASON_ID }
    : {};

  return (
    <div className="new-run-actions">
      <button
        type="button"
        className="primary"
        disabled={selected === 0 || offline}
        aria-describedby={selected === 0 ? hintId : undefined}
        {...offlineProps}
        onClick={() => {
          const chatIds = [...selection.selectedIds];
          workspace.openDialog({
            kind: 'ids',
            chatIds,
            description:
              `${selected.toLocaleString()} selected ${selected === 1 ? 'chat' : 'chats'}` +
              (hidden > 0 ? `, ${hidden.toLocaleString()} of them hidden by the current filters.` : '.'),
            chats: briefs(selection, chatIds),
          });
        }}
      >
        Restart selected
      </button>
      {selected === 0 ? (
        <span id={hintId} className="visually-hidden">
          Select chats in the table first.
        </span>
      ) : null}
      <button
        type="button"
        disabled={matching === 0 || offline}
        {...offlineProps}
        onClick={() =>
          workspace.openDialog({
            kind: 'ids',
            chatIds: [...selection.filteredIds],
            description: `Every chat matching the current filters: ${matching.toLocaleString()} ${matching === 1 ? 'chat' : 'chats'}.`,
            chats: briefs(selection, selection.filteredIds),
          })
        }
      >
        Restart all matching ({matching.toLocaleString()})
      </button>
      <button
        type="button"
        disabled={offline}
        {...offlineProps}
        onClick={() => workspace.openDialog({ kind: 'paste' })}
      >
        Restart from a list…
      </button>
    </div>
  );
}
