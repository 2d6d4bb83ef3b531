// Shown in place of the chats when a profile has no secret yet (provisioned by IT, or its keychain entry is gone):
// the webhook goes renderer → main once, through profiles.setSecret, and the field is emptied as soon as it is stored.
import { type FormEvent, useId, useRef } from 'react';
import type { ProfileSummary } from '../../../app/contract/index.ts';
import { useSetSecret } from './use-profile-actions.ts';

interface SecretPromptProps {
  profile: Pick<ProfileSummary, 'id' | 'name' | 'host'>;
  /** Why the prompt shows, when the host said so (e.g. the SECRET_MISSING message of chats.list). */
  reason?: string;
}

export function SecretPrompt({ profile, reason }: SecretPromptProps) {
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const setSecret = useSetSecret();

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const webhookUrl = String(new FormData(form).get('webhookUrl') ?? '').trim();
    if (!webhookUrl) return;
    setSecret.mutate({ profileId: profile.id, webhookUrl }, { onSuccess: () => formRef.current?.reset() });
  };

  return (
    <section className="secret-prompt" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Enter the webhook of “{profile.name}”</h2>
      <p>
        {reason ??
          `This portal (${profile.host}) has no webhook in the keychain yet. Paste the webhook URL your Bitrix24 administrator gave you, or just its code.`}{' '}
        It is kept in the operating system's keychain and never shown again.
      </p>
      <form ref={formRef} onSubmit={onSubmit}>
        <label htmlFor={`${id}-webhook`}>Webhook URL or code</label>
        <input
          id={`${id}-webhook`}
          name="webhookUrl"
          type="password"
          autoComplete="off"
          spellCheck={false}
          required
          aria-describedby={setSecret.isError ? `${id}-error` : undefined}
        />
        <button type="submit" disabled={setSecret.isPending}>
          {setSecret.isPending ? 'Saving…' : 'Save webhook'}
        </button>
      </form>
      {setSecret.isError ? (
        <p id={`${id}-error`} role="alert" className="error-message">
          Could not save the webhook: {setSecret.error.message}
        </p>
      ) : null}
    </section>
  );
}
