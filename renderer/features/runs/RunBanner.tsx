// What happened to the run and what to do about it, in words: holds that end by themselves are statuses,
// stops that need the supervisor are alerts.
import { type RunProgress, stopsForAuthorization, stopsThePortal } from '../../../app/contract/index.ts';
import { clockTime } from '../../shared/format.ts';

interface Banner {
  role: 'alert' | 'status';
  tone: 'info' | 'warn' | 'danger' | 'ok';
  title: string;
  detail: string | null;
}

export function bannerFor(run: RunProgress): Banner | null {
  const reason = run.reason;
  const detail = reason?.message ?? null;
  switch (run.status) {
    case 'holding':
      if (reason?.code === 'OPERATION_TIME_LIMIT' && reason.until !== null) {
        return {
          role: 'status',
          tone: 'warn',
          title: `Paused until ${clockTime(reason.until)} for the operating budget`,
          // The engine's message repeats the time; the Rate limits panel names the method that is held.
          detail:
            "Nothing to do: the run continues by itself when the method's budget resets. Rate limits shows which method is held.",
        };
      }
      return {
        role: 'status',
        tone: 'warn',
        title: reason?.until ? `Waiting until ${clockTime(reason.until)}` : 'Waiting for the portal',
        detail: `${detail ?? ''} The run continues by itself.`.trim(),
      };
    case 'paused':
      return { role: 'status', tone: 'info', title: 'Paused', detail: 'Nothing is sent until you resume the run.' };
    case 'stopped':
    case 'interrupted':
      if (reason && stopsThePortal(reason.code)) {
        return {
          role: 'alert',
          tone: 'danger',
          title: `Stopped by the portal (${reason.code}): contact Bitrix24 support`,
          detail: `${reason.message} Resume the run once the portal accepts requests again; finished chats are not sent again.`,
        };
      }
      if (reason && stopsForAuthorization(reason.code)) {
        return {
          role: 'alert',
          tone: 'danger',
          title: 'Stopped for authorization: fix the profile',
          detail: `${reason.message} (${reason.code}) Then resume the run; finished chats are not sent again.`,
        };
      }
      return {
        role: 'alert',
        tone: 'danger',
        title: run.status === 'interrupted' ? 'Interrupted before the end' : 'Stopped before the end',
        detail: `${detail ? `${detail} ` : ''}Resume the run to finish it; chats in flight are checked before anything is sent again.`,
      };
    case 'cancelled':
      return {
        role: 'status',
        tone: 'info',
        title: 'Cancelled',
        detail: `${run.counts.skipped.toLocaleString()} chats were not sent.`,
      };
    case 'finished':
      if (run.counts.failed > 0) {
        return {
          role: 'status',
          tone: 'warn',
          title: `Finished with ${run.counts.failed.toLocaleString()} failed ${run.counts.failed === 1 ? 'chat' : 'chats'}`,
          detail: 'Their codes are in the results; "Retry failed" sends only those chats again.',
        };
      }
      return { role: 'status', tone: 'ok', title: 'Finished', detail: 'Every chat was started or already active.' };
    default:
      return reason ? { role: 'status', tone: 'info', title: reason.message, detail: null } : null;
  }
}

export function RunBanner({ run }: { run: RunProgress }) {
  const banner = bannerFor(run);
  const content = banner ? (
    <div className={`run-banner tone-${banner.tone}`}>
      <strong>{banner.title}</strong>
      {banner.detail ? <p>{banner.detail}</p> : null}
    </div>
  ) : null;
  // Both live regions stay in the page so that a change of banner is announced, not just inserted.
  return (
    <>
      <div role="status" aria-label="Run status" className="run-banner-region">
        {banner?.role === 'status' ? content : null}
      </div>
      <div role="alert" aria-label="Run alert" className="run-banner-region">
        {banner?.role === 'alert' ? content : null}
      </div>
    </>
  );
}
