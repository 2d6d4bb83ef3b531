// The "Bulk restart" dialog: which chats, which mode, and the main process's preview of the run (chats,
// requests, expected duration, bad lines, duplicates). Nothing is sent to the portal before "Start run".
import { type ChangeEvent, useEffect, useId, useState } from 'react';
import type { RunMode, RunPreview, RunSource } from '../../../app/contract/index.ts';
import { DialogHeader, useModalDialog } from '../../shared/modal-dialog.tsx';
import { expectedDurationText, MODE_LABELS } from './run-format.ts';
import type { ChatChoice } from './run-workspace-context.tsx';
import { type PreviewRequest, usePreviewRun, useStartRun } from './use-start-run.ts';

/** What runs.preview takes as text (the contract's limit). */
const MAX_TEXT_CHARS = 5_000_000;
const INVALID_SHOWN = 200;

interface NewRunDialogProps {
  profileId: string;
  choice: ChatChoice;
  onClose(): void;
  onStarted(runId: string): void;
}

function initialSource(choice: ChatChoice): RunSource | null {
  if (choice.kind === 'ids') return { kind: 'ids', chatIds: [...choice.chatIds] };
  if (choice.kind === 'text')
    return { kind: 'text', text: choice.text, ...(choice.fileName ? { fileName: choice.fileName } : {}) };
  return null;
}

function sameRequest(a: PreviewRequest | undefined, b: PreviewRequest): boolean {
  return a !== undefined && a.mode === b.mode && a.skipInvalid === b.skipInvalid && a.source === b.source;
}

export function NewRunDialog({ profileId, choice, onClose, onStarted }: NewRunDialogProps) {
  const { dialogRef, close } = useModalDialog();
  const id = useId();
  const retry = choice.kind === 'ids' ? choice.retry : undefined;
  // The CLI's default too: a start leaves open sessions alone.
  const [mode, setMode] = useState<RunMode>(retry?.mode ?? 'start');
  const [skipInvalid, setSkipInvalid] = useState(false);
  const [text, setText] = useState(choice.kind === 'text' ? choice.text : '');
  const [fileName, setFileName] = useState(choice.kind === 'text' ? choice.fileName : undefined);
  const [fileError, setFileError] = useState<string | null>(null);
  /** The chats as last handed to the preview; a list is checked only when asked, not on every keystroke. */
  const [source, setSource] = useState<RunSource | null>(() => initialSource(choice));
  const preview = usePreviewRun(profileId);
  const start = useStartRun(profileId);
  const { mutate: requestPreview } = preview;

  useEffect(() => {
    if (source) requestPreview({ mode, source, skipInvalid, ...(retry ? { retryOf: retry.runId } : {}) });
  }, [requestPreview, source, mode, skipInvalid, retry]);

  const isList = choice.kind !== 'ids';
  const listChanged = isList && (source === null || source.kind !== 'text' || source.text !== text);
  const current: PreviewRequest | null = source
    ? { mode, source, skipInvalid, ...(retry ? { retryOf: retry.runId } : {}) }
    : null;
  const shown: RunPreview | undefined =
    current && preview.isSuccess && sameRequest(preview.variables, current) ? preview.data : undefined;
  const blockedByInvalid = shown !== undefined && shown.invalid.length > 0 && !skipInvalid;
  const canStart =
    shown !== undefined && !listChanged && !blockedByInvalid && shown.total > 0 && !start.isPending && !start.isSuccess;

  const checkList = () => {
    setSource({ kind: 'text', text, ...(fileName ? { fileName } : {}) });
  };

  const openFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    setFileError(null);
    const content = await file.text();
    if (content.length > MAX_TEXT_CHARS) {
      setFileError(
        `${file.name} is too large: one run takes a list of up to ${MAX_TEXT_CHARS.toLocaleString()} characters.`,
      );
      return;
    }
    setText(content);
    setFileName(file.name);
    setSource({ kind: 'text', text: content, fileName: file.name });
  };

  const startRun = () => {
    if (!shown) return;
    start.mutate(shown.previewId, {
      onSuccess: (run) => {
        onStarted(run.runId);
        close();
      },
    });
  };

  return (
    <dialog ref={dialogRef} className="new-run-dialog" aria-labelledby={`${id}-heading`} onClose={onClose}>
      <DialogHeader headingId={`${id}-heading`} title="Bulk restart" onClose={close} />

      {choice.kind === 'ids' ? (
        <>
          <p>{choice.description}</p>
          {choice.chats && choice.chats.length > 0 ? (
            <ul className="new-run-chats" aria-label="Chats this run acts on">
              {choice.chats.map((chat) => (
                <li key={chat.chatId}>
                  Chat {chat.chatId}
                  {chat.visitor ? ` · ${chat.visitor}` : ''}
                  {chat.lineName ? ` · ${chat.lineName}` : ''}
                </li>
              ))}
              {choice.chatIds.length > choice.chats.length ? (
                <li className="muted">and {(choice.chatIds.length - choice.chats.length).toLocaleString()} more</li>
              ) : null}
            </ul>
          ) : null}
        </>
      ) : (
        <div className="new-run-list">
          <label htmlFor={`${id}-text`}>Chat IDs</label>
          <p id={`${id}-text-hint`} className="muted">
            One chat ID a line, or a CSV with a <span className="code">CHAT_ID</span> column. Bad lines are listed;
            duplicates are dropped.
          </p>
          <textarea
            id={`${id}-text`}
            rows={6}
            spellCheck={false}
            value={text}
            aria-describedby={`${id}-text-hint`}
            onChange={(event) => {
              setText(event.target.value);
              setFileName(undefined);
            }}
          />
          <div className="new-run-list-actions">
            <label className="file-button">
              <input type="file" accept=".txt,.csv,text/plain,text/csv" onChange={openFile} />
              Open a text or CSV file
            </label>
            <button type="button" onClick={checkList} disabled={text.trim() === '' || !listChanged}>
              Check the list
            </button>
            {fileName ? <span className="muted">From {fileName}</span> : null}
          </div>
          {fileError ? (
            <p role="alert" className="error-message">
              {fileError}
            </p>
          ) : null}
        </div>
      )}

      <fieldset className="new-run-mode">
        <legend>Mode</legend>
        {(['start', 'restart'] as const).map((value) => (
          <div key={value} className="radio">
            <input
              type="radio"
              id={`${id}-mode-${value}`}
              name={`${id}-mode`}
              value={value}
              checked={mode === value}
              disabled={retry !== undefined && retry.mode !== value}
              aria-describedby={`${id}-mode-${value}-hint`}
              onChange={() => setMode(value)}
            />
            <label htmlFor={`${id}-mode-${value}`}>{value === 'start' ? 'Start' : 'Restart'}</label>
            <span id={`${id}-mode-${value}-hint`} className="muted">
              {value === 'start'
                ? 'open a session on each closed chat; a chat with an active session is reported as already active'
                : 'close the active session, then start a new one'}
            </span>
          </div>
        ))}
        <p className="new-run-owner" role="note">
          {mode === 'restart'
            ? 'Every chat ends up with a new session assigned to the user this portal connection signs in as, not to its current operator; closing cannot be undone.'
            : 'Each new session is assigned to the user this portal connection signs in as.'}
          {retry ? ' A retry runs the way the run it retries did.' : ''}
        </p>
      </fieldset>

      <section className="new-run-preview" aria-labelledby={`${id}-preview`}>
        <h3 id={`${id}-preview`}>Before anything is sent</h3>
        {source === null ? <p className="muted">Paste chat IDs or open a file, then check the list.</p> : null}
        {source !== null && listChanged ? <p className="muted">The list changed: check it again.</p> : null}
        {preview.isPending ? <p role="status">Checking the chats…</p> : null}
        {preview.isError ? (
          <p role="alert" className="error-message">
            Could not prepare the run: {preview.error.message}
          </p>
        ) : null}
        {shown ? <PreviewFacts preview={shown} /> : null}
        {shown && shown.invalid.length > 0 ? (
          <InvalidLines
            preview={shown}
            skipInvalid={skipInvalid}
            onSkipChange={setSkipInvalid}
            checkboxId={`${id}-skip`}
          />
        ) : null}
        {shown && shown.total === 0 && shown.invalid.length === 0 ? (
          <p role="status">There is no chat to start.</p>
        ) : null}
      </section>

      {start.isError ? (
        <p role="alert" className="error-message">
          The run did not start: {start.error.message}
        </p>
      ) : null}

      <footer className="dialog-actions">
        <button type="button" className="primary" onClick={startRun} disabled={!canStart}>
          Start run
        </button>
        {start.isPending ? <span role="status">Starting the run…</span> : null}
      </footer>
    </dialog>
  );
}

function PreviewFacts({ preview }: { preview: RunPreview }) {
  return (
    // A status region, so that a screen reader hears the new figures when the mode or the list changes.
    <div role="status" aria-label="Run preview">
      <dl className="facts preview-facts">
        <dt>Chats</dt>
        <dd>{preview.total.toLocaleString()}</dd>
        <dt>Mode</dt>
        <dd>{MODE_LABELS[preview.mode]}</dd>
        <dt>Requests</dt>
        <dd>{preview.requests.toLocaleString()}</dd>
        <dt>Expected duration</dt>
        <dd>{expectedDurationText(preview.expectedSeconds)}</dd>
        <dt>Duplicates dropped</dt>
        <dd>{preview.duplicates.toLocaleString()}</dd>
        <dt>Bad lines</dt>
        <dd>{preview.invalid.length.toLocaleString()}</dd>
        {preview.blankLines > 0 && (
          <>
            <dt>Blank lines skipped</dt>
            <dd>{preview.blankLines.toLocaleString()}</dd>
          </>
        )}
      </dl>
    </div>
  );
}

function InvalidLines({
  preview,
  skipInvalid,
  onSkipChange,
  checkboxId,
}: {
  preview: RunPreview;
  skipInvalid: boolean;
  onSkipChange(skip: boolean): void;
  checkboxId: string;
}) {
  const count = preview.invalid.length;
  return (
    <div className="invalid-lines">
      <p role={skipInvalid ? 'status' : 'alert'} className={skipInvalid ? undefined : 'error-message'}>
        {skipInvalid
          ? `${count.toLocaleString()} bad ${count === 1 ? 'line is' : 'lines are'} skipped.`
          : `${count.toLocaleString()} ${count === 1 ? 'line is' : 'lines are'} not a chat ID. Nothing is sent unless you skip them.`}
      </p>
      <table aria-label="Bad lines">
        <thead>
          <tr>
            <th scope="col">Line</th>
            <th scope="col">Input</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {preview.invalid.slice(0, INVALID_SHOWN).map((line) => (
            <tr key={line.line}>
              <td>{line.line}</td>
              <td className="code">{line.input}</td>
              <td>{line.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {count > INVALID_SHOWN ? (
        <p className="muted">
          The first {INVALID_SHOWN} of {count.toLocaleString()} bad lines are shown.
        </p>
      ) : null}
      <div className="checkbox">
        <input
          type="checkbox"
          id={checkboxId}
          checked={skipInvalid}
          onChange={(event) => onSkipChange(event.target.checked)}
        />
        <label htmlFor={checkboxId}>Skip the bad lines and run the valid chats</label>
      </div>
    </div>
  );
}
