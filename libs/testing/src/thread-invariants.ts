// What must hold for a stored thread whatever failed while it was written: seq gapless,
// no message lost that the caller was told was taken, nothing stored twice.
import type { Outcome } from './chat-clients.js';

export interface StoredMessage {
  seq: number;
  role: string;
  content: string;
  status: string;
  /** an assistant row that only calls tools is a step of the answer, not an answer */
  toolCalls?: unknown[] | null;
}

export interface SentTurn {
  /** unique within the thread, so a stored row maps back to the turn that sent it */
  text: string;
  outcome: Outcome;
}

export interface InvariantOptions {
  /** the complete answer a turn must have got (e.g. the fake upstream's echo) */
  expectedAnswer?: (text: string) => string;
  /** turns whose answer may be missing though the caller got it (an answer Postgres had not flushed when it crashed) */
  answerMayBeLost?: (text: string) => boolean;
}

/**
 * Every way `messages` (one thread, in seq order) breaks the invariants, as readable
 * lines; empty when the thread is intact. `sent` is every turn the client attempted, in order.
 * - seq is 1..n without gaps or repeats;
 * - every user row is one the client sent, at most once, in the order sent;
 * - a user row has at most one answer (assistant row without tool calls) before the next user row;
 * - a turn the caller saw answered has exactly one user row and exactly one answer, whose
 *   status and text are the ones the caller got.
 */
export function threadViolations(messages: StoredMessage[], sent: SentTurn[], options: InvariantOptions = {}): string[] {
  const problems: string[] = [];
  messages.forEach((m, i) => {
    if (m.seq !== i + 1) problems.push(`seq: position ${i + 1} holds seq ${m.seq} (expected gapless 1..${messages.length})`);
  });
  const order = new Map(sent.map((turn, index) => [turn.text, index]));
  const rowsOf = new Map<string, StoredMessage[]>();
  const answersOf = new Map<string, StoredMessage[]>();
  let current: string | null = null;
  let lastIndex = -1;
  for (const m of messages) {
    if (m.role === 'user') {
      current = m.content;
      if (!order.has(m.content)) problems.push(`seq ${m.seq}: user message ${JSON.stringify(m.content)} was never sent`);
      const index = order.get(m.content) ?? lastIndex;
      if (index < lastIndex) problems.push(`seq ${m.seq}: user message ${JSON.stringify(m.content)} stored out of the order it was sent`);
      lastIndex = Math.max(lastIndex, index);
      rowsOf.set(m.content, [...(rowsOf.get(m.content) ?? []), m]);
    } else if (m.role === 'assistant' && !m.toolCalls?.length && current !== null) {
      answersOf.set(current, [...(answersOf.get(current) ?? []), m]);
    }
  }
  for (const [text, rows] of rowsOf) {
    if (rows.length > 1) problems.push(`user message ${JSON.stringify(text)} stored ${rows.length} times (seq ${rows.map((r) => r.seq).join(', ')})`);
  }
  for (const [text, answers] of answersOf) {
    if (answers.length > 1) problems.push(`user message ${JSON.stringify(text)} answered ${answers.length} times (seq ${answers.map((a) => a.seq).join(', ')})`);
  }
  for (const turn of sent) {
    if (turn.outcome.kind !== 'answered') continue;
    const rows = rowsOf.get(turn.text) ?? [];
    const answers = answersOf.get(turn.text) ?? [];
    if (rows.length === 0) problems.push(`${JSON.stringify(turn.text)}: answered to the caller but its user message is not stored`);
    if (answers.length === 0 && !options.answerMayBeLost?.(turn.text)) problems.push(`${JSON.stringify(turn.text)}: answered to the caller but no answer is stored`);
    const answer = answers[0];
    if (!answer) continue;
    if (answer.status !== turn.outcome.status) problems.push(`${JSON.stringify(turn.text)}: the caller got status ${turn.outcome.status}, the stored answer is ${answer.status}`);
    else if (answer.content !== turn.outcome.content) problems.push(`${JSON.stringify(turn.text)}: the caller got ${JSON.stringify(turn.outcome.content)}, the stored answer is ${JSON.stringify(answer.content)}`);
    if (turn.outcome.status === 'complete' && options.expectedAnswer && answer.content !== options.expectedAnswer(turn.text)) {
      problems.push(`${JSON.stringify(turn.text)}: stored answer ${JSON.stringify(answer.content)} is not ${JSON.stringify(options.expectedAnswer(turn.text))}`);
    }
  }
  return problems;
}
