import type { MessageDto, Usage } from '@threadline/contracts';
import { formatCost, formatCount, formatTime } from './format';

function formatUsage(usage: Usage | null): string {
  if (!usage) return '—';
  const figures = `${formatCount(usage.promptTokens)} in / ${formatCount(usage.completionTokens)} out`;
  // Locally counted figures can differ from what the upstream bills.
  return usage.estimated ? `${figures} (est.)` : figures;
}

export function MessageItem({ message: m }: { message: MessageDto }) {
  return (
    <li className={`message message-${m.role}`}>
      <div className="meta">
        <strong className="role">{m.role}</strong>
        {m.participant && <span className="participant">{m.participant}</span>}
        <time dateTime={m.createdAt}>{formatTime(m.createdAt)}</time>
        <span className={`status status-${m.status}`}>{m.status}</span>
        <span title="tokens">{formatUsage(m.usage)}</span>
        <span title="cost">{formatCost(m.costMicros)}</span>
        {m.model && <span className="muted">{m.model}</span>}
      </div>
      {m.role === 'tool' ? (
        // Tool output is usually bulky machine data; collapsed keeps the conversation readable.
        <details>
          <summary>Tool result{m.toolCallId ? ` · ${m.toolCallId}` : ''}</summary>
          <pre className="text">{m.content}</pre>
        </details>
      ) : (
        m.content && <p className="text">{m.content}</p>
      )}
      {m.toolCalls?.map((call) => (
        <details key={call.id}>
          <summary>Tool call: {call.name}</summary>
          <pre className="text">{call.arguments}</pre>
        </details>
      ))}
    </li>
  );
}
