import {
  echoResponder,
  integratorHistory,
  openChatSocket,
  newWebSession,
  socketConnected,
  socketTurn,
  sseTurn,
  threadViolations,
  webHistory,
  webTurn,
  type ChatSocket,
  type FakeReply,
  type Outcome,
  type SentTurn,
  type StoredMessage,
} from '@threadline/testing';
import { backends } from '../backends.js';
import { createApiKey, untilNoWatchersAssumed, useGateway } from '../harness.js';

/**
 * Each way the upstream can fail, and what the turn must leave behind: the answer row's
 * status and text, and the error code the caller is told. One retry, 300 ms timeout.
 */
const FAILURES: Array<{ name: string; reply: FakeReply; calls: number; status: 'error' | 'partial'; content: string; code: string; http: number }> = [
  { name: '429 until the retries run out', reply: { kind: 'error', status: 429, headers: { 'retry-after': '0' } }, calls: 2, status: 'error', content: '', code: 'upstream_error', http: 502 },
  { name: '500', reply: { kind: 'error', status: 500 }, calls: 2, status: 'error', content: '', code: 'upstream_error', http: 502 },
  { name: 'garbage', reply: { kind: 'garbage' }, calls: 2, status: 'error', content: '', code: 'upstream_error', http: 502 },
  { name: 'nothing at all (timeout)', reply: { kind: 'hang' }, calls: 2, status: 'error', content: '', code: 'upstream_timeout', http: 504 },
  // Text already streamed is never retried into a duplicate: what arrived is kept as partial.
  { name: 'a stream cut mid-answer', reply: { kind: 'break', afterText: 'The answer is' }, calls: 1, status: 'partial', content: 'The answer is', code: 'upstream_error', http: 200 },
];
const CHANNELS = ['web REST', 'integrator SSE', 'socket.io'] as const;
type Channel = (typeof CHANNELS)[number];

const echo = (text: string) => `Echo: ${text}`;
const answered = (content: string): Outcome => ({ kind: 'answered', status: 'complete', content, errorCode: null, httpStatus: 200 });

describe.each(backends())('upstream failures leave every thread intact (%s)', (backend) => {
  const suite = useGateway(backend, { env: { LLM_MAX_RETRIES: '1', LLM_TIMEOUT_MS: '300', LLM_ANSWER_TIMEOUT_MS: '300' } });
  const sockets: ChatSocket[] = [];
  beforeAll(untilNoWatchersAssumed);
  afterAll(() => sockets.forEach((s) => s.disconnect()));

  /** One thread on `channel`: send a turn, read the stored thread back. */
  async function openThread(channel: Channel, name: string): Promise<{ send(text: string): Promise<Outcome>; history(): Promise<StoredMessage[]> }> {
    const base = suite.gateway.url;
    if (channel === 'integrator SSE') {
      const who = { key: await createApiKey(suite.gateway), userId: `u-${name.replace(/[^a-z0-9]/gi, '-')}` };
      return { send: (text) => sseTurn(base, who, text), history: () => integratorHistory(base, who) };
    }
    const session = await newWebSession(base);
    if (channel === 'web REST') return { send: (text) => webTurn(base, session, text), history: () => webHistory(base, session) };
    const socket = openChatSocket(base, session);
    sockets.push(socket);
    await socketConnected(socket);
    return { send: (text) => socketTurn(socket, text), history: () => webHistory(base, session) };
  }

  /** What the caller of each channel is told when the answer failed. */
  function failureSeenBy(channel: Channel, failure: (typeof FAILURES)[number]): Outcome {
    if (channel === 'web REST' && failure.status === 'error') return { kind: 'refused', httpStatus: failure.http, code: failure.code, message: expect.stringContaining('Your message was saved') as unknown as string };
    const errorCode = channel === 'integrator SSE' ? failure.code : null; // the socket's error event follows message:done
    return { kind: 'answered', status: failure.status, content: failure.content, errorCode, httpStatus: 200 };
  }

  /**
   * A web REST reply streams to nobody, so its answer is asked for whole (LLM_STREAM=auto):
   * a cut answer leaves no text to keep, and is retried and then refused like any failure.
   */
  const asSeenOn = (channel: Channel, failure: (typeof FAILURES)[number]): (typeof FAILURES)[number] =>
    channel === 'web REST' && failure.status === 'partial' ? { ...failure, calls: 2, status: 'error', content: '', http: 502 } : failure;

  const cases = FAILURES.flatMap((failure) => CHANNELS.map((channel) => [failure.name, channel, asSeenOn(channel, failure)] as const));
  it.each(cases)('%s, over %s: a clear error, then the next turn works with the whole thread', async (name, channel, failure) => {
    suite.fake.respondWith((req, index) => {
      const last = [...req.messages].reverse().find((m) => m.role === 'user');
      return String(last?.content).startsWith('FAIL') ? failure.reply : echoResponder(req, index);
    });
    const thread = await openThread(channel, `${name}-${channel}`);
    const texts = ['before the failure', 'FAIL: this one breaks', 'after the failure'];
    const sent: SentTurn[] = [];
    for (const text of texts) sent.push({ text, outcome: await thread.send(text) });

    expect(sent.map((t) => t.outcome)).toEqual([answered(echo(texts[0]!)), failureSeenBy(channel, failure), answered(echo(texts[2]!))]);
    const failedCalls = suite.fake.requests.filter((r) => r.messages.at(-1)?.content === texts[1]);
    expect(failedCalls).toHaveLength(failure.calls);

    // The turn after the failure sent the model every user message once, and the kept partial text.
    const lastCall = suite.fake.requests.at(-1)!.messages.slice(1).map((m) => `${m.role}: ${m.content}`);
    expect(lastCall).toEqual([
      `user: ${texts[0]}`,
      `assistant: ${echo(texts[0]!)}`,
      `user: ${texts[1]}`,
      ...(failure.status === 'partial' ? [`assistant: ${failure.content}`] : []),
      `user: ${texts[2]}`,
    ]);

    const stored = await thread.history();
    expect(threadViolations(stored, sent, { expectedAnswer: echo })).toEqual([]);
    expect(stored.map((m) => [m.seq, m.role, m.status, m.content])).toEqual([
      [1, 'user', 'complete', texts[0]],
      [2, 'assistant', 'complete', echo(texts[0]!)],
      [3, 'user', 'complete', texts[1]],
      [4, 'assistant', failure.status, failure.content],
      [5, 'user', 'complete', texts[2]],
      [6, 'assistant', 'complete', echo(texts[2]!)],
    ]);
  });
});
