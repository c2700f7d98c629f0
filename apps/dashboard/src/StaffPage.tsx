import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { StaffDto, StaffMemberDto, StaffRole } from '@threadline/contracts';
import { api, errorMessage, isUnauthorized } from './api';
import { ConfirmDialog } from './ConfirmDialog';
import { formatTime } from './format';
import { SecretReveal } from './SecretReveal';

const ROLES: Array<[StaffRole, string]> = [
  ['viewer', 'Viewer: reads sessions, transcripts and usage'],
  ['operator', 'Operator: also clears and expires sessions'],
  ['admin', 'Admin: also deletes, manages API keys and staff'],
];

interface Props {
  me: StaffDto;
  onUnauthorized: () => void;
}

export function StaffPage({ me, onUnauthorized }: Props) {
  const [staff, setStaff] = useState<StaffMemberDto[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<StaffRole>('viewer');
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ email: string; password: string } | null>(null);
  const [removing, setRemoving] = useState<StaffMemberDto | null>(null);
  const [removeError, setRemoveError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const fail = useCallback(
    (err: unknown, show: (message: string) => void = setError) => {
      if (isUnauthorized(err)) onUnauthorized();
      else show(errorMessage(err));
    },
    [onUnauthorized],
  );

  useEffect(() => {
    let current = true;
    api.staff().then((s) => current && setStaff(s), (err: unknown) => current && fail(err));
    return () => {
      current = false;
    };
  }, [fail]);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setCreating(true);
    setError(null);
    try {
      const result = await api.createStaff(email.trim(), role);
      setStaff((current) => [...(current ?? []), result.staff]);
      if (result.password) setCreated({ email: result.staff.email, password: result.password });
      setEmail('');
    } catch (err) {
      fail(err);
    } finally {
      setCreating(false);
    }
  }

  async function changeRole(member: StaffMemberDto, next: StaffRole) {
    setError(null);
    try {
      const updated = await api.updateStaff(member.id, next);
      setStaff((current) => (current ?? []).map((s) => (s.id === updated.id ? updated : s)));
    } catch (err) {
      fail(err);
    }
  }

  const cancelRemove = useCallback(() => {
    setRemoving(null);
    setRemoveError(null);
  }, []);

  async function remove() {
    if (!removing) return;
    setBusy(true);
    try {
      await api.removeStaff(removing.id);
      setStaff((current) => (current ?? []).filter((s) => s.id !== removing.id));
      setRemoving(null);
    } catch (err) {
      fail(err, setRemoveError);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="page">
      <div className="toolbar">
        <h2>Staff</h2>
      </div>
      <form className="inline-form" onSubmit={create} aria-label="Add a staff account">
        <input type="email" aria-label="New staff email" placeholder="Email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <select aria-label="New staff role" value={role} onChange={(e) => setRole(e.target.value as StaffRole)}>
          {ROLES.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
        <button type="submit" className="primary" disabled={creating}>
          {creating ? 'Adding…' : 'Add account'}
        </button>
      </form>
      {created && <SecretReveal label={`Password of ${created.email}.`} secret={created.password} onDone={() => setCreated(null)} />}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <table className="grid" aria-label="Staff">
        <thead>
          <tr>
            <th>Email</th>
            <th>Role</th>
            <th>Since</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {staff?.map((s) => {
            const self = s.id === me.id;
            return (
              <tr key={s.id}>
                <td>
                  {s.email} {self && <span className="muted">(you)</span>}
                </td>
                <td>
                  <select aria-label={`Role of ${s.email}`} value={s.role} disabled={self} onChange={(e) => void changeRole(s, e.target.value as StaffRole)}>
                    {ROLES.map(([value]) => (
                      <option key={value} value={value}>
                        {value}
                      </option>
                    ))}
                  </select>
                </td>
                <td className="mono">{formatTime(s.createdAt)}</td>
                <td>
                  {!self && (
                    <button type="button" className="danger" onClick={() => setRemoving(s)} aria-label={`Remove ${s.email}`}>
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {!staff && !error && <p className="muted">Loading…</p>}
      {removing && (
        <ConfirmDialog title="Remove this account?" confirmLabel="Remove" danger busy={busy} error={removeError} onConfirm={remove} onCancel={cancelRemove}>
          <p>
            <span className="mono">{removing.email}</span> is signed out at once and can no longer sign in.
          </p>
        </ConfirmDialog>
      )}
    </main>
  );
}
