import { useEffect, useState } from 'react';
import type { MessageDto, SessionSummaryDto } from '@threadline/contracts';
import { api, errorMessage, isUnauthorized } from './api';
import { formatCost, formatCount, formatTime } from './format';
import { MessageItem } from './MessageItem';
import { mergeMessages } from './sessions';
import type { AdminSocket } from './socket';

interface Props {
  sessionId: string;
  socket: AdminSocket | null;
  /** connection epoch; a change means live messages may have been missed */
  epoch: number;
  onClose: () => void;
  onUnauthorized: () => void;
}

export function TranscriptView({ sessionId, socket, epoch, onClose, onUnauthorized }: Props) {
  const [session, setSession] = useState<SessionSummaryDto | null>(null);
  const [messages, setMessages] = useState<MessageDto[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let current = true;
    setError(null);
    api.transcript(sessionId).then(
      (res) => {
        if (!current) return;
        setSession(res.session);
        // Merge rather than replace: live messages may have arrived while this was in flight.
        setMessages((live) => mergeMessages(live, res.messages));
      },
      (err: unknown) => {
        if (!current) return;
        if (isUnauthorized(err)) onUnauthorized();
        else setError(errorMessage(err));
      },
    );
    return () => {
      current = false;
    };
  }, [sessionId, epoch, onUnauthorized]);

  useEffect(() => {
    if (!socket) return;
    const onMessage = (p: { sessionId: string; message: MessageDto }) => {
      if (p.sessionId === sessionId) setMessages((list) => mergeMessages(list, [p.message]));
    };
    const onSession = (s: SessionSummaryDto) => {
      if (s.id === sessionId) setSession(s);
    };
    socket.on('message:created', onMessage);
    socket.on('session:updated', onSession);
    return () => {
      socket.off('message:created', onMessage);
      socket.off('session:updated', onSession);
    };
  }, [socket, sessionId]);

  return (
    <aside className="transcript" aria-label="Transcript">
      <header>
        <h2 className="mono">{session?.key ?? sessionId}</h2>
        <button type="button" onClick={onClose} aria-label="Close transcript">
          ×
        </button>
      </header>
      {session && (
        <p className="muted">
          {session.channel} · {session.status} · {session.endUserId ?? 'anonymous'} · started{' '}
          {formatTime(session.createdAt)} · {formatCount(session.promptTokens + session.completionTokens)} tokens ·{' '}
          {formatCost(session.costMicros)}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!session && !error && <p className="muted">Loading…</p>}
      <ol className="messages">
        {messages.map((m) => (
          <MessageItem key={m.id} message={m} />
        ))}
      </ol>
    </aside>
  );
}
