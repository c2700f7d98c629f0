import { useEffect, useState } from 'react';
import type { MessageDto, SessionSummaryDto, StaffRole } from '@threadline/contracts';
import { api, errorMessage, isUnauthorized } from './api';
import { formatCost, formatCount, formatTime } from './format';
import { MessageItem, StreamingItem } from './MessageItem';
import { SessionActions } from './SessionActions';
import { mergeMessages } from './sessions';
import type { AdminSocket } from './socket';
import { download, exportFileName, transcriptJson, transcriptMarkdown } from './transcript-export';

interface Props {
  sessionId: string;
  socket: AdminSocket | null;
  /** connection epoch; a change means live messages may have been missed */
  epoch: number;
  role: StaffRole;
  onClose: () => void;
  onUnauthorized: () => void;
}

interface Draft {
  turnId: string;
  text: string;
}

export function TranscriptView({ sessionId, socket, epoch, role, onClose, onUnauthorized }: Props) {
  const [session, setSession] = useState<SessionSummaryDto | null>(null);
  const [messages, setMessages] = useState<MessageDto[]>([]);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Bumped after a staff action: a delete erases the messages, so the view re-reads them.
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let current = true;
    setError(null);
    api.transcript(sessionId).then(
      (res) => {
        if (!current) return;
        setSession(res.session);
        // Merge rather than replace: live messages may have arrived while this was in flight.
        // After a delete nothing survives, so nothing is merged back in.
        setMessages((live) => (res.session.status === 'deleted' ? res.messages : mergeMessages(live, res.messages)));
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
  }, [sessionId, epoch, reload, onUnauthorized]);

  useEffect(() => {
    if (!socket) return;
    const onMessage = (p: { sessionId: string; message: MessageDto }) => {
      if (p.sessionId !== sessionId) return;
      setMessages((list) => mergeMessages(list, [p.message]));
      // The stored answer (or its tool-call round) replaces what was streamed of it.
      if (p.message.role === 'assistant') setDraft(null);
    };
    const onDelta = (p: { sessionId: string; turnId: string; text: string }) => {
      if (p.sessionId !== sessionId) return;
      setDraft((d) => (d && d.turnId === p.turnId ? { turnId: d.turnId, text: d.text + p.text } : { turnId: p.turnId, text: p.text }));
    };
    const onSession = (s: SessionSummaryDto) => {
      if (s.id !== sessionId) return;
      setSession(s);
      if (s.status !== 'active') setDraft(null);
    };
    socket.on('message:created', onMessage);
    socket.on('message:delta', onDelta);
    socket.on('session:updated', onSession);
    return () => {
      socket.off('message:created', onMessage);
      socket.off('message:delta', onDelta);
      socket.off('session:updated', onSession);
    };
  }, [socket, sessionId]);

  function exportAs(kind: 'json' | 'md') {
    if (!session) return;
    const transcript = { session, messages };
    const now = new Date();
    if (kind === 'json') download(exportFileName(transcript, 'json'), 'application/json', transcriptJson(transcript, now));
    else download(exportFileName(transcript, 'md'), 'text/markdown', transcriptMarkdown(transcript, now));
  }

  return (
    <aside className="transcript" aria-label="Transcript">
      <header>
        <h2 className="mono">{session?.key ?? sessionId}</h2>
        <button type="button" onClick={onClose} aria-label="Close transcript">
          ×
        </button>
      </header>
      {session && (
        <>
          <p className="muted">
            {session.channel} · <span className={`status status-${session.status}`}>{session.status}</span> ·{' '}
            {session.endUserId ?? 'anonymous'} · started {formatTime(session.createdAt)} ·{' '}
            {formatCount(session.promptTokens + session.completionTokens)} tokens · {formatCost(session.costMicros)}
            {session.unpricedMessages ? ` (+${session.unpricedMessages} unpriced)` : ''}
          </p>
          <div className="toolbar">
            <SessionActions
              session={session}
              role={role}
              onDone={(s) => {
                setSession(s);
                setDraft(null);
                setReload((n) => n + 1);
              }}
              onUnauthorized={onUnauthorized}
            />
            <span className="spacer" />
            <button type="button" onClick={() => exportAs('json')}>
              Export JSON
            </button>
            <button type="button" onClick={() => exportAs('md')}>
              Export Markdown
            </button>
          </div>
        </>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!session && !error && <p className="muted">Loading…</p>}
      {session?.status === 'deleted' && messages.length === 0 && <p className="muted">The messages of this session were deleted.</p>}
      <ol className="messages">
        {messages.map((m) => (
          <MessageItem key={m.id} message={m} />
        ))}
        {draft && <StreamingItem text={draft.text} />}
      </ol>
    </aside>
  );
}
