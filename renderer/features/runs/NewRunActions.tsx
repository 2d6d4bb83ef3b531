// The chats toolbar's actions that open a new run: restart the selected chats, every chat the filters match, or a
// list of ids.
import { useId } from 'react';
import { useChatSelection } from '../chats/chat-selection.tsx';
import { useRunWorkspace } from './run-workspace-context.tsx';

export function NewRunActions() {
  const selection = useChatSelection();
  const workspace = useRunWorkspace();
  const hintId = useId();
  const selected = selection.selectedIds.size;
  const matching = selection.filteredIds.length;

  return (
    <div className="new-run-actions">
      <button
        type="button"
        className="primary"
        disabled={selected === 0}
        aria-describedby={selected === 0 ? hintId : undefined}
        onClick={() =>
          workspace.openDialog({
            kind: 'ids',
            chatIds: [...selection.selectedIds],
            description: `${selected.toLocaleString()} selected ${selected === 1 ? 'chat' : 'chats'}.`,
          })
        }
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
        disabled={matching === 0}
        onClick={() =>
          workspace.openDialog({
            kind: 'ids',
            chatIds: [...selection.filteredIds],
            description: `Every chat matching the current filters: ${matching.toLocaleString()} ${matching === 1 ? 'chat' : 'chats'}.`,
          })
        }
      >
        Restart all matching ({matching.toLocaleString()})
      </button>
      <button type="button" onClick={() => workspace.openDialog({ kind: 'paste' })}>
        Restart from a list…
      </button>
    </div>
  );
}
