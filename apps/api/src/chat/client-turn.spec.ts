import type { MessageRow } from '@api/sessions/session.types.js';
import { alreadyStored } from './client-turn.js';
import type { ClientMessage } from './turn.types.js';

let seq = 0;
const row = (role: MessageRow['role'], content: string, toolCallId: string | null = null) => ({ seq: ++seq, role, content, tool_call_id: toolCallId }) as MessageRow;
/** Rows given oldest first, returned newest first as the repository loads them. */
const newestFirst = (...rows: MessageRow[]) => rows.reverse();
const user = (content: string): ClientMessage => ({ role: 'user', content });

describe('alreadyStored', () => {
  it('counts nothing when the thread ends with an answer', () => {
    expect(alreadyStored(newestFirst(row('user', 'Hi'), row('assistant', 'Hello')), [user('Hi')])).toBe(0);
  });

  it('counts a retried question waiting unanswered at the end of the thread', () => {
    expect(alreadyStored(newestFirst(row('assistant', 'Hello'), row('user', 'Again?')), [user('Again?')])).toBe(1);
    expect(alreadyStored(newestFirst(row('assistant', 'Hello'), row('user', 'One'), row('user', 'Two')), [user('One'), user('Two'), user('Three')])).toBe(2);
  });

  it('matches the end of the unanswered tail against the start of the new messages', () => {
    expect(alreadyStored(newestFirst(row('user', 'Abandoned'), row('user', 'Again?')), [user('Again?')])).toBe(1);
    expect(alreadyStored(newestFirst(row('user', 'Again?')), [user('Something else')])).toBe(0);
  });

  it('tells tool results apart by their call id', () => {
    const rows = newestFirst(row('assistant', ''), row('tool', '{}', 'call_1'));
    expect(alreadyStored(rows, [{ role: 'tool', content: '{}', toolCallId: 'call_1' }, { role: 'tool', content: '{}', toolCallId: 'call_2' }])).toBe(1);
    expect(alreadyStored(rows, [{ role: 'tool', content: '{}', toolCallId: 'call_2' }])).toBe(0);
  });
});
