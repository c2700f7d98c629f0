import { useEffect, useState, type ReactNode } from 'react';
import { Bar, CartesianGrid, ComposedChart, Legend, Line, Tooltip, XAxis, YAxis } from 'recharts';
import type { UsageReport, UsageTotals } from '@threadline/contracts';
import { api, errorMessage, isUnauthorized } from './api';
import { formatCost, formatCount, formatPrice } from './format';
import { chartPoints, fillDays, lastDays } from './usage';

const RANGES = [7, 30, 90] as const;

interface Props {
  onUnauthorized: () => void;
  now?: () => Date;
}

interface Column<T> {
  label: string;
  cell: (row: T) => ReactNode;
  mono?: boolean;
}

/** Shared figures of every breakdown; each table adds the columns that name its rows. */
const FIGURES: Column<UsageTotals>[] = [
  { label: 'Answers', cell: (r) => formatCount(r.messages) },
  { label: 'Tokens in', cell: (r) => formatCount(r.promptTokens) },
  { label: 'Cached', cell: (r) => formatCount(r.cachedTokens) },
  { label: 'Tokens out', cell: (r) => formatCount(r.completionTokens) },
  { label: 'Cost', cell: (r) => formatCost(r.costMicros) },
  { label: 'Unpriced', cell: (r) => (r.unpricedMessages ? formatCount(r.unpricedMessages) : '—') },
];

function Breakdown<T extends UsageTotals>({ title, names, rows, rowKey }: { title: string; names: Column<T>[]; rows: T[]; rowKey: (row: T) => string }) {
  const columns = [...names, ...(FIGURES as Column<T>[])];
  return (
    <section className="card">
      <h3>{title}</h3>
      <table className="grid" aria-label={title}>
        <thead>
          <tr>
            {columns.map((c, i) => (
              <th key={c.label} className={i < names.length ? undefined : 'num'}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((c, i) => (
                <td key={c.label} className={i < names.length ? (c.mono ? 'mono' : undefined) : 'num'}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={columns.length} className="empty">
                Nothing in this range.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}

export function UsagePage({ onUnauthorized, now = () => new Date() }: Props) {
  const [range, setRange] = useState(() => lastDays(30, now()));
  const [report, setReport] = useState<UsageReport | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    setError(null);
    api.usage(range.from, range.to).then(
      (r) => current && setReport(r),
      (err: unknown) => {
        if (!current) return;
        if (isUnauthorized(err)) onUnauthorized();
        else setError(errorMessage(err));
      },
    );
    return () => {
      current = false;
    };
  }, [range, onUnauthorized]);

  const days = report ? fillDays(report.daily, report.from, report.to) : [];
  const t = report?.totals;

  return (
    <main className="page usage-page">
      <div className="toolbar">
        <h2>Usage and cost</h2>
        {RANGES.map((n) => (
          <button key={n} type="button" onClick={() => setRange(lastDays(n, now()))}>
            Last {n} days
          </button>
        ))}
        <label className="date">
          From
          <input type="date" aria-label="From" value={range.from} max={range.to} onChange={(e) => e.target.value && setRange((r) => ({ ...r, from: e.target.value }))} />
        </label>
        <label className="date">
          To
          <input type="date" aria-label="To" value={range.to} min={range.from} onChange={(e) => e.target.value && setRange((r) => ({ ...r, to: e.target.value }))} />
        </label>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!report && !error && <p className="muted">Loading…</p>}
      {report && t && (
        <>
          <section className="totals" aria-label="Totals">
            <div className="figure">
              <span>Cost</span>
              <strong>{formatCost(t.costMicros)}</strong>
            </div>
            <div className="figure">
              <span>Tokens</span>
              <strong>{formatCount(t.totalTokens)}</strong>
              <small>
                {formatCount(t.promptTokens)} in ({formatCount(t.cachedTokens)} cached) / {formatCount(t.completionTokens)} out
              </small>
            </div>
            <div className="figure">
              <span>Answers</span>
              <strong>{formatCount(t.messages)}</strong>
              <small>{formatCount(t.estimatedMessages)} with estimated tokens</small>
            </div>
            <div className="figure">
              <span>Unpriced answers</span>
              <strong>{formatCount(t.unpricedMessages)}</strong>
              <small>cost unknown, not zero</small>
            </div>
          </section>
          <section className="card chart" aria-label="Per-day chart">
            <h3>
              Per day, {report.from} to {report.to} (UTC)
            </h3>
            <ComposedChart responsive style={{ width: '100%', height: 280 }} data={chartPoints(days)} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="day" tickFormatter={(d: string) => d.slice(5)} />
              <YAxis yAxisId="cost" tickFormatter={(v: number) => `$${v}`} />
              <YAxis yAxisId="tokens" orientation="right" tickFormatter={(v: number) => formatCount(v)} />
              <Tooltip formatter={(value, name) => (name === 'Cost' ? formatCost(Math.round(Number(value) * 1_000_000)) : formatCount(Number(value)))} />
              <Legend />
              <Bar yAxisId="cost" dataKey="cost" name="Cost" fill="#2d5bd7" isAnimationActive={false} />
              <Line yAxisId="tokens" dataKey="tokens" name="Tokens" stroke="#13795b" dot={false} isAnimationActive={false} />
            </ComposedChart>
            <details>
              <summary>Figures per day</summary>
              <Breakdown title="Per day" names={[{ label: 'Day', cell: (r) => r.day, mono: true }]} rows={days} rowKey={(r) => r.day} />
            </details>
          </section>
          <Breakdown
            title="Per model"
            names={[
              { label: 'Model', cell: (r) => r.model, mono: true },
              { label: 'Price (USD)', cell: (r) => (r.price ? formatPrice(r.price) : 'no price') },
            ]}
            rows={report.models}
            rowKey={(r) => r.model}
          />
          <Breakdown title="Per channel" names={[{ label: 'Channel', cell: (r) => r.channel }]} rows={report.channels} rowKey={(r) => r.channel} />
          <Breakdown
            title="Top end users"
            names={[
              { label: 'End user', cell: (r) => r.endUserId, mono: true },
              { label: 'Tenant', cell: (r) => r.tenant, mono: true },
            ]}
            rows={report.topEndUsers}
            rowKey={(r) => `${r.tenant}\u0000${r.endUserId}`}
          />
          <Breakdown
            title="Top API keys"
            names={[
              { label: 'API key', cell: (r) => (r.name ? `${r.name} (${r.prefix ?? '?'}…)` : r.apiKeyId), mono: true },
              { label: 'Tenant', cell: (r) => r.tenant ?? '—', mono: true },
            ]}
            rows={report.topApiKeys}
            rowKey={(r) => r.apiKeyId}
          />
        </>
      )}
    </main>
  );
}
