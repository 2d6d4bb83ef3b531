// "Manage portals": every profile with its connection state, and what a supervisor can do with them offline (add,
// rename, make default, remove, import a provisioning file) plus the one explicit network step, checking a connection.
// A webhook URL goes renderer → main once and is never shown back: its fields are password fields, emptied on success.

import { useQuery } from '@tanstack/react-query';
import { type ChangeEvent, type FormEvent, useId, useRef, useState } from 'react';
import type { ConnectionState, ProfileCheck, ProfileSummary } from '../../../app/contract/index.ts';
import { isBridgeError } from '../../bridge/index.ts';
import { DialogHeader, useModalDialog } from '../../shared/modal-dialog.tsx';
import { connectionOptions } from '../connection/connection.keys.ts';
import { SecretPrompt } from './SecretPrompt.tsx';
import {
  useAddProfile,
  useCheckProfile,
  useImportProfiles,
  useRemoveProfile,
  useRenameProfile,
  useSelectProfile,
} from './use-profile-actions.ts';

type Plan = ProfileSummary['plan'];

/** What profiles.import takes as text (the contract's limit). */
const MAX_IMPORT_CHARS = 5_000_000;

const STATE_LABELS: Record<ConnectionState['state'], string> = {
  unknown: 'not checked yet',
  online: 'online',
  unreachable: 'cannot be reached',
  'auth-failed': 'webhook refused',
  blocked: 'blocked by the portal',
};

const PLAN_LABELS: Record<Plan, string> = {
  detect: 'Detect from the portal',
  standard: 'Standard',
  enterprise: 'Enterprise',
};

interface ManagePortalsDialogProps {
  profiles: readonly ProfileSummary[];
  onClose(): void;
}

export function ManagePortalsDialog({ profiles, onClose }: ManagePortalsDialogProps) {
  const { dialogRef, close } = useModalDialog();
  const id = useId();

  return (
    <dialog ref={dialogRef} className="portals-dialog" aria-labelledby={`${id}-heading`} onClose={onClose}>
      <DialogHeader headingId={`${id}-heading`} title="Manage portals" onClose={close} />
      <ul className="portal-list" aria-label="Portals">
        {profiles.map((profile) => (
          <ProfileItem key={profile.id} profile={profile} />
        ))}
      </ul>
      <AddPortalForm />
      <ImportPortals />
    </dialog>
  );
}

function ProfileItem({ profile }: { profile: ProfileSummary }) {
  const id = useId();
  const connection = useQuery({ ...connectionOptions(profile.id), refetchInterval: false });
  const check = useCheckProfile();
  const select = useSelectProfile();
  const [renaming, setRenaming] = useState(false);
  const [confirmingRemoval, setConfirmingRemoval] = useState(false);
  const [askingSecret, setAskingSecret] = useState(false);
  const fixed = profile.isDemo;
  const state = connection.data;

  return (
    <li className="portal-item" aria-labelledby={`${id}-name`}>
      <div className="portal-summary">
        <strong id={`${id}-name`}>{profile.name}</strong>
        <span className="muted">
          {' '}
          {profile.host} · {PLAN_LABELS[profile.plan]}
          {profile.isDefault ? ' · default' : ''}
          {profile.hasSecret ? '' : ' · no webhook yet'}
        </span>
        <p className="muted">
          Connection: {state ? STATE_LABELS[state.state] : 'loading…'}
          {state?.message ? ` — ${state.message}` : ''}
        </p>
      </div>
      <fieldset className="portal-actions">
        <legend className="visually-hidden">Actions for {profile.name}</legend>
        <button type="button" onClick={() => check.mutate(profile.id)} disabled={check.isPending}>
          {check.isPending ? 'Checking…' : 'Check connection'}
        </button>
        {!fixed ? (
          <>
            <button type="button" onClick={() => setRenaming(true)} disabled={renaming}>
              Rename
            </button>
            <button type="button" onClick={() => setAskingSecret((shown) => !shown)} aria-expanded={askingSecret}>
              {profile.hasSecret ? 'Replace webhook' : 'Enter webhook'}
            </button>
          </>
        ) : null}
        <button
          type="button"
          onClick={() => select.mutate(profile.id)}
          disabled={profile.isDefault || select.isPending}
        >
          Make default
        </button>
        {!fixed ? (
          <button type="button" onClick={() => setConfirmingRemoval(true)} disabled={confirmingRemoval}>
            Remove
          </button>
        ) : null}
      </fieldset>
      {select.isError ? (
        <p role="alert" className="error-message">
          Could not make “{profile.name}” the default: {select.error.message}
        </p>
      ) : null}
      {check.isError ? (
        <p role="alert" className="error-message">
          Could not check “{profile.name}”: {check.error.message}
        </p>
      ) : null}
      {check.data ? <CheckReport check={check.data} /> : null}
      {renaming ? <RenameForm profile={profile} onDone={() => setRenaming(false)} /> : null}
      {askingSecret ? <SecretPrompt profile={profile} /> : null}
      {confirmingRemoval ? <RemoveConfirmation profile={profile} onCancel={() => setConfirmingRemoval(false)} /> : null}
    </li>
  );
}

function CheckReport({ check }: { check: ProfileCheck }) {
  return (
    <div className="check-report" role="status">
      <p>{check.message}</p>
      {check.user !== null ? (
        <ul>
          <li>User: {check.user ?? 'unknown'}</li>
          <li>Scopes: {check.scopes.length > 0 ? check.scopes.join(', ') : 'none'}</li>
          <li>
            {check.missingScopes.length > 0 ? `Missing scopes: ${check.missingScopes.join(', ')}` : 'No scope missing'}
          </li>
          {check.planHint ? <li>Plan: {check.planHint}</li> : null}
        </ul>
      ) : null}
    </div>
  );
}

function RenameForm({ profile, onDone }: { profile: ProfileSummary; onDone(): void }) {
  const id = useId();
  const rename = useRenameProfile();
  const [name, setName] = useState(profile.name);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    rename.mutate({ profileId: profile.id, name }, { onSuccess: onDone });
  };
  return (
    <form className="inline-form" onSubmit={onSubmit}>
      <label htmlFor={`${id}-name`}>New name for “{profile.name}”</label>
      <input
        id={`${id}-name`}
        value={name}
        onChange={(event) => setName(event.target.value)}
        maxLength={120}
        required
        // biome-ignore lint/a11y/noAutofocus: the field the user just asked for
        autoFocus
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            // Escape leaves the rename, not the whole dialog.
            event.preventDefault();
            onDone();
          }
        }}
      />
      <button type="submit" disabled={rename.isPending}>
        Save name
      </button>
      <button type="button" onClick={onDone}>
        Cancel
      </button>
      {rename.isError ? (
        <p role="alert" className="error-message">
          Could not rename: {rename.error.message}
        </p>
      ) : null}
    </form>
  );
}

function RemoveConfirmation({ profile, onCancel }: { profile: ProfileSummary; onCancel(): void }) {
  const remove = useRemoveProfile();
  return (
    <fieldset className="remove-confirmation">
      <legend className="visually-hidden">Confirm removing {profile.name}</legend>
      <p>Remove “{profile.name}”? Its webhook is deleted from the keychain and its cached chats from this computer.</p>
      <button type="button" className="danger" onClick={() => remove.mutate(profile.id)} disabled={remove.isPending}>
        Remove “{profile.name}”
      </button>
      <button type="button" onClick={onCancel}>
        Keep it
      </button>
      {remove.isError ? (
        <p role="alert" className="error-message">
          Could not remove “{profile.name}”: {remove.error.message}
        </p>
      ) : null}
    </fieldset>
  );
}

function AddPortalForm() {
  const id = useId();
  const add = useAddProfile();
  const formRef = useRef<HTMLFormElement>(null);
  const submit = (saveUnchecked: boolean) => {
    if (!formRef.current) return;
    const data = new FormData(formRef.current);
    const plan = String(data.get('plan') ?? 'detect') as Plan;
    add.mutate(
      {
        name: String(data.get('name') ?? ''),
        webhookUrl: String(data.get('webhookUrl') ?? ''),
        plan,
        ...(saveUnchecked ? { saveUnchecked } : {}),
      },
      { onSuccess: () => formRef.current?.reset() },
    );
  };
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    submit(false);
  };
  const checkFailed = add.isError && isBridgeError(add.error) && add.error.code === 'CONNECTION_CHECK_FAILED';
  return (
    <form ref={formRef} className="add-portal" aria-labelledby={`${id}-heading`} onSubmit={onSubmit}>
      <h3 id={`${id}-heading`}>Add a portal</h3>
      <label htmlFor={`${id}-name`}>Portal name</label>
      <input id={`${id}-name`} name="name" maxLength={120} required autoComplete="off" />
      <label htmlFor={`${id}-webhook`}>Webhook URL</label>
      {/* Uncontrolled on purpose: a controlled input mirrors its value into the DOM attribute. */}
      <input
        id={`${id}-webhook`}
        name="webhookUrl"
        type="password"
        required
        autoComplete="off"
        spellCheck={false}
        aria-describedby={`${id}-webhook-hint`}
      />
      <p id={`${id}-webhook-hint`} className="muted">
        https://your-portal/rest/&lt;user&gt;/&lt;code&gt;/ — kept in the keychain, never shown again.
      </p>
      <label htmlFor={`${id}-plan`}>Plan</label>
      <select id={`${id}-plan`} name="plan" defaultValue="detect">
        {(Object.keys(PLAN_LABELS) as Plan[]).map((plan) => (
          <option key={plan} value={plan}>
            {PLAN_LABELS[plan]}
          </option>
        ))}
      </select>
      <button type="submit" disabled={add.isPending}>
        {add.isPending ? 'Checking and adding…' : 'Add portal'}
      </button>
      {add.isError ? (
        <p role="alert" className="error-message">
          Could not add the portal: {add.error.message}
        </p>
      ) : null}
      {checkFailed ? (
        <button type="button" onClick={() => submit(true)} disabled={add.isPending}>
          Save without the check
        </button>
      ) : null}
      {add.isSuccess ? (
        <p role="status">
          Added “{add.data.name}” ({add.data.host}).
        </p>
      ) : null}
    </form>
  );
}

function ImportPortals() {
  const id = useId();
  const importProfiles = useImportProfiles();
  const [fileError, setFileError] = useState<string | null>(null);
  const onFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const input = event.currentTarget;
    const file = input.files?.[0];
    setFileError(null);
    importProfiles.reset();
    if (!file) return;
    try {
      const text = await file.text();
      if (text.length > MAX_IMPORT_CHARS) {
        setFileError(`“${file.name}” is too large for a provisioning file.`);
        return;
      }
      importProfiles.mutate(text);
    } catch (error) {
      setFileError(`Could not read “${file.name}”: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      // The same file can be chosen again after it was fixed.
      input.value = '';
    }
  };
  const report = importProfiles.data;
  return (
    <section className="import-portals" aria-labelledby={`${id}-heading`}>
      <h3 id={`${id}-heading`}>Import a provisioning file</h3>
      <label htmlFor={`${id}-file`}>Provisioning file (portals.json)</label>
      <input
        id={`${id}-file`}
        type="file"
        accept=".json,application/json,text/plain"
        onChange={(event) => void onFile(event)}
      />
      {importProfiles.isPending ? <p role="status">Importing…</p> : null}
      {fileError ? (
        <p role="alert" className="error-message">
          {fileError}
        </p>
      ) : null}
      {importProfiles.isError ? (
        <p role="alert" className="error-message">
          Could not import the file: {importProfiles.error.message}
        </p>
      ) : null}
      {report ? (
        <div role="status" className="import-report">
          <p>
            {report.imported.length > 0
              ? `Imported ${report.imported.length} portal(s): ${report.imported.join(', ')}.`
              : 'No portal was imported.'}
            {report.updated.length > 0 ? ` Updated ${report.updated.length}: ${report.updated.join(', ')}.` : ''}
          </p>
          {report.secretDropped.length > 0 ? (
            <p>
              The portal address or CA certificate of {report.secretDropped.join(', ')} changed, so the saved secret was
              removed: enter it again before connecting.
            </p>
          ) : null}
          {report.rejected.length > 0 ? (
            <>
              <p>
                {report.rejected.length} entr{report.rejected.length === 1 ? 'y was' : 'ies were'} rejected:
              </p>
              <ul aria-label="Rejected entries">
                {report.rejected.map((entry) => (
                  <li key={`${entry.index}-${entry.field}-${entry.reason}`}>
                    {entry.index < 0 ? 'The file' : `Entry ${entry.index}`}: {entry.field} {entry.reason}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
