import type { ChatStatus, MessageDelta, MessageDone, MessageDto, ResyncResult, SessionEnded, TurnStarted, Usage } from '@threadline/contracts';

export type EntryState = 'sending' | 'sent' | 'failed' | 'streaming' | 'complete' | 'partial' | 'error';

export interface MessageEntry {
  kind: 'message';
  /** stable for the entry's life, so the view can keep its element */
  key: string;
  role: 'user' | 'assistant';
  text: string;
  state: EntryState;
  messageId: string | null;
  turnId: string | null;
  costMicros?: number | null;
  usage?: Usage | null;
}

export interface NoticeEntry {
  kind: 'notice';
  key: string;
  tone: 'info' | 'ended' | 'error';
  text: string;
}

export type Entry = MessageEntry | NoticeEntry;
export type EndReason = SessionEnded['reason'];
export type EndedBy = SessionEnded['by'] | 'self' | 'unknown';

export function endedNotice(reason: EndReason, by: EndedBy): string {
  const next = 'Your next message starts a new one.';
  if (reason === 'expired') return `This conversation expired after a while without messages. ${next}`;
  if (reason === 'deleted') return `This conversation was deleted. ${next}`;
  if (by === 'staff') return `Conversation ended by our team. ${next}`;
  if (by === 'self' || by === 'user') return `Conversation cleared. ${next}`;
  return `Conversation ended. ${next}`;
}

const isEnded = (status: ResyncResult['status']): status is EndReason => status === 'expired' || status === 'cleared' || status === 'deleted';

/**
 * What the widget shows, built from server events. DOM-free so the hard part, merging
 * live events with a resync after a dropped link, is unit-tested:
 * - entries are unique by message id; an answer streams under its turn id and keeps
 *   that entry when `message:done` gives it a message id;
 * - `message:done` is authoritative: whatever the deltas said, the stored text wins;
 * - while a resync is pending, deltas are held: those of the turn the resync reports as
 *   in flight are already in its text, the others are applied after it.
 */
export class Conversation {
  private list: Entry[] = [];
  private seq = 0;
  private endedReason: EndReason | null = null;
  private resyncing = false;
  private held: MessageDelta[] = [];
  private readonly finished = new Set<string>();
  /** turns of a thread the user cleared: whatever they still stream is not shown */
  private readonly ignored = new Set<string>();
  private threadOpenedBy: string | null = null;
  private notices = 0;
  /** what the answer being written is doing ("Searching GitHub…"); null when nothing is */
  status: string | null = null;

  get entries(): readonly Entry[] {
    return this.list;
  }

  /** highest message seq seen in the current thread: what a resync asks to continue after */
  get lastSeq(): number {
    return this.seq;
  }

  get ended(): EndReason | null {
    return this.endedReason;
  }

  get isResyncing(): boolean {
    return this.resyncing;
  }

  /** The user's own message, shown at once; the server's copy adopts it. */
  sendLocal(localId: string, text: string): void {
    this.list.push({ kind: 'message', key: localId, role: 'user', text, state: 'sending', messageId: null, turnId: null });
  }

  /** The server took the message (or refused it, with a reason the user is shown). */
  sendSettled(localId: string, outcome: { ok: true } | { ok: false; message: string }): void {
    const entry = this.list.find((e): e is MessageEntry => e.kind === 'message' && e.key === localId);
    if (outcome.ok) {
      if (entry && (entry.state === 'sending' || entry.state === 'failed')) entry.state = 'sent';
      return;
    }
    if (entry && entry.state === 'sending') entry.state = 'failed';
    this.notice('error', outcome.message);
  }

  /** True while the message is neither confirmed nor refused (e.g. the link dropped before the ack). */
  isUnconfirmed(localId: string): boolean {
    const entry = this.list.find((e) => e.key === localId);
    return entry?.kind === 'message' && entry.messageId === null && entry.state === 'sending';
  }

  started(turn: TurnStarted): void {
    if (turn.newThread && this.threadOpenedBy !== turn.turnId) this.openThread(turn.turnId);
    if (turn.userMessage) this.upsert(turn.userMessage);
    if (!this.finished.has(turn.turnId) && !this.ignored.has(turn.turnId) && !this.turnEntry(turn.turnId)) this.list.push(placeholder(turn.turnId));
  }

  delta(delta: MessageDelta): void {
    if (this.resyncing) this.held.push(delta);
    else this.applyDelta(delta);
  }

  statusChanged(status: ChatStatus): void {
    if (status.turnId && (this.finished.has(status.turnId) || this.ignored.has(status.turnId))) return;
    this.status = status.text;
  }

  done(done: MessageDone): void {
    if (this.ignored.has(done.turnId)) return;
    this.finished.add(done.turnId);
    this.status = null;
    const message = done.message;
    if (message.seq > 0) this.track(message.seq);
    const byTurn = this.turnEntry(done.turnId);
    const byId = this.byMessageId(message.id);
    if (message.status === 'error' && !message.content) {
      // No answer at all: the `error` event that follows says why.
      this.remove(byTurn);
      this.remove(byId);
      return;
    }
    if (byId && byTurn && byId !== byTurn) this.remove(byTurn);
    let target = byId ?? byTurn;
    if (!target) {
      target = placeholder(done.turnId);
      this.list.push(target);
    }
    Object.assign(target, { text: message.content, state: message.status, messageId: message.id, turnId: done.turnId, costMicros: done.costMicros, usage: done.usage });
  }

  /** The thread ended (TTL, staff, another tab, or a resync that found it so): say so once. */
  endThread(reason: EndReason, by: EndedBy): void {
    if (this.endedReason) return;
    this.endedReason = reason;
    this.seq = 0;
    this.status = null;
    for (const entry of this.list) {
      if (entry.kind === 'message' && entry.state === 'streaming') entry.state = 'partial';
    }
    this.list = this.list.filter((e) => !(e.kind === 'message' && e.role === 'assistant' && e.state === 'partial' && !e.text && !e.messageId));
    this.notice('ended', endedNotice(reason, by));
  }

  /** Clear button / Ctrl+K: the view starts empty at once, before the server confirms. */
  clearLocal(): void {
    const turns = this.list.flatMap((e) => (e.kind === 'message' && e.turnId ? [e.turnId] : []));
    this.reset();
    for (const turnId of turns) this.ignored.add(turnId);
    this.endedReason = 'cleared';
    this.notice('ended', endedNotice('cleared', 'self'));
  }

  /** A new session: nothing of the old one stays. */
  reset(): void {
    this.list = [];
    this.seq = 0;
    this.endedReason = null;
    this.resyncing = false;
    this.held = [];
    this.finished.clear();
    this.ignored.clear();
    this.threadOpenedBy = null;
    this.status = null;
  }

  notice(tone: NoticeEntry['tone'], text: string): void {
    this.list.push({ kind: 'notice', key: `notice:${++this.notices}`, tone, text });
  }

  /** Called on (re)connect, before `session:resync`; returns the seq to ask after. */
  beginResync(): number {
    this.resyncing = true;
    this.held = [];
    return this.seq;
  }

  resyncFailed(): void {
    this.resyncing = false;
    const held = this.held;
    this.held = [];
    for (const delta of held) this.applyDelta(delta);
  }

  resynced(result: ResyncResult): void {
    this.resyncing = false;
    const held = this.held;
    this.held = [];
    const inFlight = result.inFlight && !this.finished.has(result.inFlight.turnId) && !this.ignored.has(result.inFlight.turnId) ? result.inFlight : null;
    if (isEnded(result.status)) {
      this.list = this.list.filter((e) => !(e.kind === 'message' && e.state === 'streaming' && !e.messageId));
      this.endThread(result.status, 'unknown');
      return;
    }
    // Another tab may have started a new thread while this one was away.
    if (this.endedReason && result.messages.length > 0) this.endedReason = null;
    for (const message of [...result.messages].sort((a, b) => a.seq - b.seq)) this.upsert(message);
    // An answer that was streaming and is no longer in flight finished meanwhile: its stored copy just arrived.
    this.list = this.list.filter((e) => !(e.kind === 'message' && e.state === 'streaming' && !e.messageId && e.turnId !== inFlight?.turnId));
    if (inFlight) {
      const entry = this.turnEntry(inFlight.turnId) ?? placeholder(inFlight.turnId);
      entry.text = inFlight.text;
      // The answer being written is the newest thing in the thread.
      this.list = this.list.filter((e) => e !== entry);
      this.list.push(entry);
    }
    for (const delta of held) {
      if (delta.turnId !== inFlight?.turnId) this.applyDelta(delta);
    }
  }

  private applyDelta(delta: MessageDelta): void {
    if (this.finished.has(delta.turnId) || this.ignored.has(delta.turnId)) return;
    let entry = this.turnEntry(delta.turnId);
    if (!entry) {
      entry = placeholder(delta.turnId);
      this.list.push(entry);
    }
    entry.text += delta.text;
  }

  private openThread(turnId: string): void {
    if (!this.endedReason && this.list.some((e) => e.kind === 'message' && e.messageId !== null)) {
      this.notice('ended', 'Your previous conversation had ended, so this is a new one.');
    }
    this.threadOpenedBy = turnId;
    this.endedReason = null;
    this.seq = 0;
  }

  private upsert(message: MessageDto): void {
    if (message.seq > 0) this.track(message.seq);
    // Tool traffic is for the model and staff; the user sees questions and answers.
    if (message.role === 'tool') return;
    if (message.role === 'assistant' && (message.toolCalls?.length ?? 0) > 0 && !message.content.trim()) return;
    if (message.status === 'error' && !message.content) return;
    const existing = this.byMessageId(message.id);
    if (existing) {
      existing.text = message.content;
      if (message.role === 'assistant') existing.state = message.status;
      return;
    }
    if (message.role === 'user') {
      const local = this.list.find(
        (e): e is MessageEntry => e.kind === 'message' && e.role === 'user' && e.messageId === null && (e.state === 'sending' || e.state === 'failed') && e.text === message.content,
      );
      if (local) {
        local.messageId = message.id;
        local.state = 'sent';
        return;
      }
      this.list.push({ kind: 'message', key: message.id, role: 'user', text: message.content, state: 'sent', messageId: message.id, turnId: null });
      return;
    }
    this.list.push({
      kind: 'message',
      key: message.id,
      role: 'assistant',
      text: message.content,
      state: message.status,
      messageId: message.id,
      turnId: null,
      costMicros: message.costMicros,
      usage: message.usage,
    });
  }

  private track(seq: number): void {
    if (seq > this.seq) this.seq = seq;
  }

  private turnEntry(turnId: string): MessageEntry | undefined {
    return this.list.find((e): e is MessageEntry => e.kind === 'message' && e.turnId === turnId);
  }

  private byMessageId(id: string): MessageEntry | undefined {
    return this.list.find((e): e is MessageEntry => e.kind === 'message' && e.messageId === id);
  }

  private remove(entry: Entry | undefined): void {
    if (entry) this.list = this.list.filter((e) => e !== entry);
  }
}

function placeholder(turnId: string): MessageEntry {
  return { kind: 'message', key: `turn:${turnId}`, role: 'assistant', text: '', state: 'streaming', messageId: null, turnId };
}
