import type { SessionSummaryDto } from '@threadline/contracts';
import { formatCost, formatCount, formatTime } from './format';

interface Props {
  rows: SessionSummaryDto[];
  selectedId: string | null;
  onSelect: (id: string) => void;
}

export function SessionsTable({ rows, selectedId, onSelect }: Props) {
  return (
    <table className="sessions">
      <thead>
        <tr>
          <th>Channel</th>
          <th>Key</th>
          <th>Status</th>
          <th>End user</th>
          <th className="num">Messages</th>
          <th className="num">Tokens</th>
          <th className="num">Cost</th>
          <th>Last activity</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((s) => (
          <tr
            key={s.id}
            tabIndex={0}
            aria-selected={s.id === selectedId}
            onClick={() => onSelect(s.id)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' || e.key === ' ') {
                e.preventDefault();
                onSelect(s.id);
              }
            }}
          >
            <td>{s.channel}</td>
            <td className="mono">{s.key}</td>
            <td>
              <span className={`status status-${s.status}`}>{s.status}</span>
            </td>
            <td className="mono">{s.endUserId ?? '—'}</td>
            <td className="num">{formatCount(s.messageCount)}</td>
            <td className="num">{formatCount(s.promptTokens + s.completionTokens)}</td>
            <td className="num">{formatCost(s.costMicros)}</td>
            <td className="mono">{formatTime(s.lastActivityAt)}</td>
          </tr>
        ))}
        {rows.length === 0 && (
          <tr>
            <td colSpan={8} className="empty">
              No sessions.
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
