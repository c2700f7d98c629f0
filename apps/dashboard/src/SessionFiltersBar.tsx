import { useEffect, useState } from 'react';
import type { ApiKeyDto } from '@threadline/contracts';
import { MIN_SEARCH, type SessionFilters } from './api';
import { CHANNEL_OPTIONS, STATUS_OPTIONS } from './sessions';

const TYPING_DEBOUNCE_MS = 300;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
type Typed = Pick<SessionFilters, 'q' | 'endUserId' | 'apiKeyId'>;

interface Props {
  filters: SessionFilters;
  onChange: (update: (f: SessionFilters) => SessionFilters) => void;
  /** admins pick a key by name; other roles may paste a key id */
  apiKeys: ApiKeyDto[] | null;
}

/** Selects and dates apply at once; typed fields wait until typing pauses. */
export function SessionFiltersBar({ filters, onChange, apiKeys }: Props) {
  const [typed, setTyped] = useState<Typed>({ q: filters.q, endUserId: filters.endUserId, apiKeyId: filters.apiKeyId });
  const searchTooShort = typed.q.trim().length > 0 && typed.q.trim().length < MIN_SEARCH;
  const keyIncomplete = typed.apiKeyId.trim() !== '' && !UUID.test(typed.apiKeyId.trim());

  useEffect(() => {
    const timer = setTimeout(() => {
      // A field that cannot run yet leaves the previous value in force rather than listing everything.
      onChange((f) => {
        const next = {
          ...f,
          endUserId: typed.endUserId,
          apiKeyId: keyIncomplete ? f.apiKeyId : typed.apiKeyId,
          q: searchTooShort ? f.q : typed.q,
        };
        return next.q === f.q && next.endUserId === f.endUserId && next.apiKeyId === f.apiKeyId ? f : next;
      });
    }, TYPING_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [typed, searchTooShort, keyIncomplete, onChange]);

  const set = (patch: Partial<SessionFilters>) => onChange((f) => ({ ...f, ...patch }));

  return (
    <div className="toolbar filters">
      <select aria-label="Channel" value={filters.channel} onChange={(e) => set({ channel: e.target.value as SessionFilters['channel'] })}>
        <option value="">All channels</option>
        {CHANNEL_OPTIONS.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      <select aria-label="Status" value={filters.status} onChange={(e) => set({ status: e.target.value as SessionFilters['status'] })}>
        <option value="">All statuses</option>
        {STATUS_OPTIONS.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
      <input
        type="search"
        aria-label="Search"
        placeholder="Search messages and keys…"
        value={typed.q}
        onChange={(e) => setTyped((t) => ({ ...t, q: e.target.value }))}
        aria-invalid={searchTooShort}
        title={searchTooShort ? `Type at least ${MIN_SEARCH} characters` : undefined}
      />
      <input
        aria-label="End user"
        placeholder="End user id"
        value={typed.endUserId}
        onChange={(e) => setTyped((t) => ({ ...t, endUserId: e.target.value }))}
      />
      {apiKeys ? (
        <select aria-label="API key" value={typed.apiKeyId} onChange={(e) => setTyped((t) => ({ ...t, apiKeyId: e.target.value }))}>
          <option value="">All API keys</option>
          {apiKeys.map((k) => (
            <option key={k.id} value={k.id}>
              {k.name} ({k.prefix}…){k.revokedAt ? ' · revoked' : ''}
            </option>
          ))}
        </select>
      ) : (
        <input
          aria-label="API key id"
          placeholder="API key id"
          value={typed.apiKeyId}
          onChange={(e) => setTyped((t) => ({ ...t, apiKeyId: e.target.value }))}
        />
      )}
      <label className="date">
        From
        <input type="date" aria-label="From" value={filters.from} onChange={(e) => set({ from: e.target.value })} />
      </label>
      <label className="date">
        To
        <input type="date" aria-label="To" value={filters.to} onChange={(e) => set({ to: e.target.value })} />
      </label>
      {searchTooShort && <span className="muted">Type at least {MIN_SEARCH} characters to search.</span>}
      {keyIncomplete && <span className="muted">Paste a whole API key id.</span>}
    </div>
  );
}
