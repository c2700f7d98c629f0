import { useCallback, useState } from 'react';
import type { SessionSummaryDto, StaffRole } from '@threadline/contracts';
import { api, errorMessage, isUnauthorized, type SessionAction } from './api';
import { ConfirmDialog } from './ConfirmDialog';
import { ACTION_ROLE, atLeast } from './roles';

const COPY: Record<SessionAction, { label: string; title: string; body: string; danger: boolean }> = {
  clear: {
    label: 'Clear',
    title: 'Clear this session?',
    body: 'The conversation ends now and its channel is told; the next message starts a fresh thread. Staff keep the transcript.',
    danger: false,
  },
  expire: {
    label: 'Expire',
    title: 'Expire this session?',
    body: 'The conversation ends now as if it had timed out, and its channel is told. Staff keep the transcript.',
    danger: false,
  },
  delete: {
    label: 'Delete',
    title: 'Delete this session for good?',
    body: 'Every message and its usage detail are erased (GDPR). Only anonymous totals remain. This cannot be undone.',
    danger: true,
  },
};
const ACTIONS: SessionAction[] = ['clear', 'expire', 'delete'];

interface Props {
  session: SessionSummaryDto;
  role: StaffRole;
  onDone: (session: SessionSummaryDto) => void;
  onUnauthorized: () => void;
}

/** Clear / expire / delete, each behind a confirmation; what the role cannot do is disabled (the server checks anyway). */
export function SessionActions({ session, role, onDone, onUnauthorized }: Props) {
  const [pending, setPending] = useState<SessionAction | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const cancel = useCallback(() => {
    setPending(null);
    setError(null);
  }, []);

  const available = (action: SessionAction) => (action === 'delete' ? session.status !== 'deleted' : session.status === 'active');

  async function confirm() {
    if (!pending) return;
    setBusy(true);
    setError(null);
    try {
      onDone(await api.endSession(session.id, pending));
      setPending(null);
    } catch (err) {
      if (isUnauthorized(err)) onUnauthorized();
      else setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="actions" role="group" aria-label="Session actions">
      {ACTIONS.map((action) => {
        const allowed = atLeast(role, ACTION_ROLE[action]);
        return (
          <button
            key={action}
            type="button"
            className={COPY[action].danger ? 'danger' : undefined}
            disabled={!allowed || !available(action)}
            title={allowed ? undefined : `Needs the ${ACTION_ROLE[action]} role; you are ${role}.`}
            onClick={() => setPending(action)}
          >
            {COPY[action].label}
          </button>
        );
      })}
      {pending && (
        <ConfirmDialog
          title={COPY[pending].title}
          confirmLabel={COPY[pending].label}
          danger={COPY[pending].danger}
          busy={busy}
          error={error}
          onConfirm={confirm}
          onCancel={cancel}
        >
          <p>{COPY[pending].body}</p>
          <p className="mono">{session.key}</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
