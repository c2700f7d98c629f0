import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { ApiKeyDto, CreateApiKeyResponse, UsageReport } from '@threadline/contracts';
import { api, errorMessage, isUnauthorized } from './api';
import { ConfirmDialog } from './ConfirmDialog';
import { formatCost, formatCount, formatTime } from './format';
import { SecretReveal } from './SecretReveal';
import { lastDays } from './usage';

/** The usage report ranks at most this many keys; past it, a key missing from it is unknown, not idle. */
const TOP = 100;
type KeyUsage = UsageReport['topApiKeys'][number];

interface Props {
  onUnauthorized: () => void;
  now?: () => Date;
}

export function ApiKeysPage({ onUnauthorized, now = () => new Date() }: Props) {
  const [keys, setKeys] = useState<ApiKeyDto[] | null>(null);
  const [usage, setUsage] = useState<{ byKey: Map<string, KeyUsage>; complete: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [tenant, setTenant] = useState('');
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreateApiKeyResponse | null>(null);
  const [revoking, setRevoking] = useState<ApiKeyDto | null>(null);
  const [revokeError, setRevokeError] = useState<string | null>(null);
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
    api.apiKeys().then((k) => current && setKeys(k), (err: unknown) => current && fail(err));
    const { from, to } = lastDays(30, now());
    // Usage is a nicety beside the list: if it fails, the keys still show.
    api.usage(from, to, TOP).then(
      (r) => current && setUsage({ byKey: new Map(r.topApiKeys.map((k) => [k.apiKeyId, k])), complete: r.topApiKeys.length < TOP }),
      () => undefined,
    );
    return () => {
      current = false;
    };
    // `now` is read once per visit on purpose.
  }, [fail]);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setCreating(true);
    setError(null);
    try {
      const key = await api.createApiKey(name.trim(), tenant.trim());
      setCreated(key);
      const { secret: _secret, ...listed } = key;
      setKeys((current) => [listed, ...(current ?? [])]);
      setName('');
      setTenant('');
    } catch (err) {
      fail(err);
    } finally {
      setCreating(false);
    }
  }

  const cancelRevoke = useCallback(() => {
    setRevoking(null);
    setRevokeError(null);
  }, []);

  async function revoke() {
    if (!revoking) return;
    setBusy(true);
    try {
      const revoked = await api.revokeApiKey(revoking.id);
      setKeys((current) => (current ?? []).map((k) => (k.id === revoked.id ? revoked : k)));
      setRevoking(null);
    } catch (err) {
      fail(err, setRevokeError);
    } finally {
      setBusy(false);
    }
  }

  const usageCell = (key: ApiKeyDto, show: (u: KeyUsage) => string, zero: string) => {
    if (!usage) return '…';
    const u = usage.byKey.get(key.id);
    if (u) return show(u);
    return usage.complete ? zero : '—';
  };

  return (
    <main className="page">
      <div className="toolbar">
        <h2>API keys</h2>
      </div>
      <form className="inline-form" onSubmit={create} aria-label="Create an API key">
        <input aria-label="Key name" placeholder="Name, e.g. mobile app" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        <input
          aria-label="Tenant"
          placeholder="Tenant (optional; keys of one tenant share end users)"
          pattern="[A-Za-z0-9._\-]{1,64}"
          value={tenant}
          onChange={(e) => setTenant(e.target.value)}
        />
        <button type="submit" className="primary" disabled={creating || !name.trim()}>
          {creating ? 'Creating…' : 'Create key'}
        </button>
      </form>
      {created && <SecretReveal label={`Secret of "${created.name}".`} secret={created.secret} onDone={() => setCreated(null)} />}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <table className="grid" aria-label="API keys">
        <thead>
          <tr>
            <th>Name</th>
            <th>Prefix</th>
            <th>Tenant</th>
            <th>Created</th>
            <th>Last used</th>
            <th className="num">Answers (30 d)</th>
            <th className="num">Tokens (30 d)</th>
            <th className="num">Cost (30 d)</th>
            <th>Status</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {keys?.map((k) => (
            <tr key={k.id}>
              <td>{k.name}</td>
              <td className="mono">{k.prefix}…</td>
              <td className="mono">{k.tenant}</td>
              <td className="mono">{formatTime(k.createdAt)}</td>
              <td className="mono">{k.lastUsedAt ? formatTime(k.lastUsedAt) : 'never'}</td>
              <td className="num">{usageCell(k, (u) => formatCount(u.messages), '0')}</td>
              <td className="num">{usageCell(k, (u) => formatCount(u.promptTokens + u.completionTokens), '0')}</td>
              <td className="num">{usageCell(k, (u) => formatCost(u.costMicros), formatCost(0))}</td>
              <td>{k.revokedAt ? <span className="status status-deleted">revoked {formatTime(k.revokedAt)}</span> : <span className="status status-active">active</span>}</td>
              <td>
                {!k.revokedAt && (
                  <button type="button" className="danger" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
          {keys?.length === 0 && (
            <tr>
              <td colSpan={10} className="empty">
                No API keys yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {!keys && !error && <p className="muted">Loading…</p>}
      {revoking && (
        <ConfirmDialog title="Revoke this API key?" confirmLabel="Revoke" danger busy={busy} error={revokeError} onConfirm={revoke} onCancel={cancelRevoke}>
          <p>
            Requests with <span className="mono">{revoking.prefix}…</span> ({revoking.name}) are refused from now on. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </main>
  );
}
