import type { MessageDone, MessageDto, ResyncResult, TurnStarted } from '@threadline/contracts';
import { Conversation, endedNotice, type Entry } from './conversation.js';

let ids = 0;
function message(seq: number, role: MessageDto['role'], content: string, extra: Partial<MessageDto> = {}): MessageDto {
  return {
    id: `m${seq}-${++ids}`, seq, role, content, status: 'complete', participant: null, createdAt: '2026-01-01T00:00:00.000Z',
    toolCalls: null, toolCallId: null, model: null, usage: null, costMicros: role === 'assistant' ? 42 : null, ...extra,
  };
}
const started = (turnId: string, userMessage: MessageDto | null, newThread = false): TurnStarted => ({ turnId, userMessage, newThread });
const done = (turnId: string, m: MessageDto): MessageDone => ({
  turnId, message: m, costMicros: m.costMicros, usage: { promptTokens: 10, completionTokens: 5, cachedTokens: 0, totalTokens: 15, estimated: false },
});
const resync = (messages: MessageDto[], inFlight: ResyncResult['inFlight'] = null, status: ResyncResult['status'] = 'active'): ResyncResult => ({ sessionId: 's', status, messages, inFlight });
const shown = (c: Conversation) => c.entries.map((e: Entry) => (e.kind === 'notice' ? `notice: ${e.text}` : `${e.role}: ${e.text}`));

describe('Conversation', () => {
  it('shows a sent message at once, adopts the server copy, streams the answer and finalises it', () => {
    const c = new Conversation();
    c.sendLocal('local-1', 'hello');
    expect(c.entries[0]).toMatchObject({ role: 'user', state: 'sending' });
    const user = message(1, 'user', 'hello');
    c.started(started('t1', user));
    c.started(started('t1', user)); // message:user then the ack: same turn twice
    c.sendSettled('local-1', { ok: true });
    c.delta({ turnId: 't1', text: 'Hi ' });
    c.delta({ turnId: 't1', text: 'there' });
    expect(shown(c)).toEqual(['user: hello', 'assistant: Hi there']);
    expect(c.entries[1]).toMatchObject({ state: 'streaming' });
    c.done(done('t1', message(2, 'assistant', 'Hi there!')));
    expect(shown(c)).toEqual(['user: hello', 'assistant: Hi there!']);
    expect(c.entries[1]).toMatchObject({ state: 'complete', costMicros: 42, key: 'turn:t1' });
    expect(c.lastSeq).toBe(2);
    c.delta({ turnId: 't1', text: ' late' });
    expect(shown(c)).toEqual(['user: hello', 'assistant: Hi there!']);
  });

  it('a refused message is marked and explained', () => {
    const c = new Conversation();
    c.sendLocal('local-1', 'spam');
    c.sendSettled('local-1', { ok: false, message: 'Too many messages' });
    expect(c.entries[0]).toMatchObject({ state: 'failed' });
    expect(shown(c)).toEqual(['user: spam', 'notice: Too many messages']);
  });

  it('first load: a resync from seq 0 restores the history, without tool traffic', () => {
    const c = new Conversation();
    expect(c.beginResync()).toBe(0);
    c.resynced(resync([
      message(1, 'user', 'find repos'),
      message(2, 'assistant', '', { toolCalls: [{ id: 'c1', name: 'search_repositories', arguments: '{}' }] }),
      message(3, 'tool', '[...]'),
      message(4, 'assistant', 'Found three.'),
    ]));
    expect(shown(c)).toEqual(['user: find repos', 'assistant: Found three.']);
    expect(c.lastSeq).toBe(4);
  });

  it('reconnect mid-answer: held deltas are dropped when the in-flight text already has them, the rest streams on', () => {
    const c = new Conversation();
    c.started(started('t1', message(1, 'user', 'tell me')));
    c.delta({ turnId: 't1', text: 'One ' });
    // link drops; 'two ' and 'three ' are sent while we are away; on reconnect:
    expect(c.beginResync()).toBe(1);
    c.delta({ turnId: 't1', text: 'three ' }); // replayed by connection-state recovery before the ack
    c.resynced(resync([], { turnId: 't1', text: 'One two three ' }));
    c.delta({ turnId: 't1', text: 'four' });
    expect(shown(c)).toEqual(['user: tell me', 'assistant: One two three four']);
    c.done(done('t1', message(2, 'assistant', 'One two three four')));
    expect(shown(c)).toEqual(['user: tell me', 'assistant: One two three four']);
  });

  it('reconnect after the answer finished: its stored copy replaces the stream, exactly once', () => {
    const c = new Conversation();
    c.started(started('t1', message(1, 'user', 'q')));
    c.delta({ turnId: 't1', text: 'partial' });
    c.beginResync();
    c.resynced(resync([message(2, 'assistant', 'partial and the rest')]));
    expect(shown(c)).toEqual(['user: q', 'assistant: partial and the rest']);
    // a message:done that arrives late (another instance, Redis) updates the same entry
    const late = message(2, 'assistant', 'partial and the rest');
    const stored = c.entries[1] as Extract<Entry, { kind: 'message' }>;
    c.done(done('t1', { ...late, id: stored.messageId! }));
    expect(shown(c)).toEqual(['user: q', 'assistant: partial and the rest']);
  });

  it('message:done arriving while the resync is pending, and the resync still listing the turn, shows it once', () => {
    const c = new Conversation();
    c.started(started('t1', message(1, 'user', 'q')));
    c.beginResync();
    const answer = message(2, 'assistant', 'whole answer');
    c.delta({ turnId: 't1', text: 'whole ' });
    c.done(done('t1', answer));
    c.resynced(resync([answer], { turnId: 't1', text: 'whole answer' }));
    expect(shown(c)).toEqual(['user: q', 'assistant: whole answer']);
  });

  it('a resync that has the stored answer and the turn still in flight shows it once after message:done', () => {
    const c = new Conversation();
    c.started(started('t1', message(1, 'user', 'q')));
    c.beginResync();
    const answer = message(2, 'assistant', 'done text');
    c.resynced(resync([answer], { turnId: 't1', text: 'done text' }));
    c.done(done('t1', answer));
    expect(shown(c)).toEqual(['user: q', 'assistant: done text']);
  });

  it('deltas of another turn held during the resync are applied after it', () => {
    const c = new Conversation();
    c.beginResync();
    c.delta({ turnId: 't9', text: 'from elsewhere' });
    c.resynced(resync([message(1, 'user', 'other tab')]));
    expect(shown(c)).toEqual(['user: other tab', 'assistant: from elsewhere']);
  });

  it('a failed resync applies what it held', () => {
    const c = new Conversation();
    c.beginResync();
    c.delta({ turnId: 't1', text: 'kept' });
    c.resyncFailed();
    expect(shown(c)).toEqual(['assistant: kept']);
  });

  it('a message whose ack was lost is adopted by the resync instead of shown twice', () => {
    const c = new Conversation();
    c.sendLocal('local-1', 'did it arrive?');
    expect(c.isUnconfirmed('local-1')).toBe(true);
    c.beginResync();
    c.resynced(resync([message(1, 'user', 'did it arrive?')]));
    expect(shown(c)).toEqual(['user: did it arrive?']);
    expect(c.isUnconfirmed('local-1')).toBe(false);
  });

  it('expiry: says so once, continues after seq 0 of the next thread, and a new thread opens quietly', () => {
    const c = new Conversation();
    c.started(started('t1', message(1, 'user', 'old')));
    c.done(done('t1', message(2, 'assistant', 'old answer')));
    c.endThread('expired', 'ttl');
    c.endThread('expired', 'ttl');
    expect(c.ended).toBe('expired');
    expect(c.lastSeq).toBe(0);
    expect(shown(c).filter((s) => s.startsWith('notice'))).toEqual([`notice: ${endedNotice('expired', 'ttl')}`]);
    c.started(started('t2', message(1, 'user', 'new'), true));
    expect(c.ended).toBeNull();
    expect(c.lastSeq).toBe(1);
    expect(shown(c).filter((s) => s.startsWith('notice'))).toHaveLength(1);
  });

  it('a new thread the widget did not know about (expired while closed) is pointed out', () => {
    const c = new Conversation();
    c.beginResync();
    c.resynced(resync([message(1, 'user', 'a'), message(2, 'assistant', 'b')]));
    const again = message(1, 'user', 'again');
    c.started(started('t2', again, true));
    c.started(started('t2', again, true));
    expect(shown(c)).toEqual(['user: a', 'assistant: b', 'notice: Your previous conversation had ended, so this is a new one.', 'user: again', 'assistant: ']);
    expect(c.lastSeq).toBe(1);
  });

  it('a resync that finds the thread ended says so, naming no culprit', () => {
    const c = new Conversation();
    c.started(started('t1', message(1, 'user', 'q')));
    c.delta({ turnId: 't1', text: 'half' });
    c.beginResync();
    c.resynced(resync([], null, 'cleared'));
    expect(c.ended).toBe('cleared');
    expect(shown(c)).toEqual(['user: q', `notice: ${endedNotice('cleared', 'unknown')}`]);
  });

  it('staff and expiry notices say what happened', () => {
    expect(endedNotice('cleared', 'staff')).toMatch(/conversation ended by our team/i);
    expect(endedNotice('expired', 'ttl')).toMatch(/expired/);
    expect(endedNotice('cleared', 'self')).toMatch(/cleared/i);
  });

  it('clear empties the view at once and ignores what the cleared answer still streams', () => {
    const c = new Conversation();
    c.started(started('t1', message(1, 'user', 'q')));
    c.delta({ turnId: 't1', text: 'streaming…' });
    c.clearLocal();
    c.delta({ turnId: 't1', text: 'more' });
    c.done(done('t1', message(2, 'assistant', 'streaming…more')));
    c.endThread('cleared', 'user'); // the server's echo of our own clear
    expect(shown(c)).toEqual([`notice: ${endedNotice('cleared', 'self')}`]);
    c.started(started('t2', message(1, 'user', 'fresh'), true));
    expect(shown(c)).toEqual([`notice: ${endedNotice('cleared', 'self')}`, 'user: fresh', 'assistant: ']);
  });

  it('an answer that failed outright leaves no empty bubble', () => {
    const c = new Conversation();
    c.started(started('t1', message(1, 'user', 'q')));
    c.done(done('t1', message(2, 'assistant', '', { status: 'error' })));
    expect(shown(c)).toEqual(['user: q']);
  });

  it('command replies (not stored, seq 0) are shown to the asker without moving the seq', () => {
    const c = new Conversation();
    c.sendLocal('local-1', 'help');
    c.started(started('cmd1', null));
    c.sendSettled('local-1', { ok: true });
    c.done(done('cmd1', message(0, 'assistant', 'Commands: help, session info, clear session')));
    expect(shown(c)).toEqual(['user: help', 'assistant: Commands: help, session info, clear session']);
    expect(c.lastSeq).toBe(0);
  });
});
