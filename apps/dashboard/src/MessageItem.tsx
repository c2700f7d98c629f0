import type { MessageDto } from '@threadline/contracts';
import { formatCost, formatPrice, formatTime, formatUsage } from './format';

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
      {m.price && (
        <div className="price" title={`price book ${m.price.source}, version ${m.price.version}`}>
          priced as {m.price.model}: {formatPrice(m.price)}
        </div>
      )}
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

/** An answer still being written, as the /admin deltas bring it. */
export function StreamingItem({ text }: { text: string }) {
  return (
    <li className="message message-assistant streaming" aria-live="polite" aria-label="Answer in progress">
      <div className="meta">
        <strong className="role">assistant</strong>
        <span className="status status-partial">writing…</span>
      </div>
      <p className="text">{text}</p>
    </li>
  );
}
