// The conversations a soak run drives: widget sockets that drop their link mid-turn and come
// back (resync, resend under the same clientMessageId, as the widget does), integrator SSE
// clients that walk away mid-stream, and plain REST callers.
import type { MessageDto, ResyncResult } from '@threadline/contracts';
import {
  integratorHistory,
  newWebSession,
  openChatSocket,
  socketConnected,
  socketTurn,
  sseTurn,
  webHistory,
  webTurn,
  type ChatSocket,
  type Integrator,
  type Outcome,
} from './chat-clients.js';
import type { SentTurn, StoredMessage } from './thread-invariants.js';

export type SoakChannel = 'socket.io' | 'web REST' | 'integrator SSE';

export interface SoakContext {
  base: string;
  turns: number;
  dropRate: number;
  turnTimeoutMs: number;
  random: () => number;
}

export type TurnKind = 'first' | 'clean' | 'dropped';

export interface ConversationStats {
  drops: number;
  resends: number;
  /** turns whose answer the client only learnt from a resync or the history, after its link dropped */
  recovered: number;
  /** per turn, from send to answer; `kind`: the conversation's first turn (it opens the thread,
   * all at once at the start of a run), a later undisturbed one, or one whose link dropped */
  latencies: Array<{ ms: number; kind: TurnKind }>;
}

export interface ConversationRun {
  name: string;
  channel: SoakChannel;
  sent: SentTurn[];
  stats: ConversationStats;
  history(): Promise<StoredMessage[]>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fromStored = (m: Pick<MessageDto, 'status' | 'content'>): Outcome => ({ kind: 'answered', status: m.status, content: m.content, errorCode: null, httpStatus: 200 });

/** The stored answer to `text` (a user row, then an assistant row), or null while there is none. */
function answerIn(messages: Array<Pick<MessageDto, 'seq' | 'role' | 'content' | 'status'>>, text: string): { userFound: boolean; answer: Outcome | null } {
  const user = messages.find((m) => m.role === 'user' && m.content === text);
  if (!user) return { userFound: false, answer: null };
  const reply = messages.find((m) => m.seq > user.seq && m.role === 'assistant');
  return { userFound: true, answer: reply ? fromStored(reply) : null };
}

async function drive(name: string, channel: SoakChannel, ctx: SoakContext, turn: (text: string, index: number, stats: ConversationStats) => Promise<Outcome>, history: () => Promise<StoredMessage[]>, done: () => void): Promise<ConversationRun> {
  const sent: SentTurn[] = [];
  const stats: ConversationStats = { drops: 0, resends: 0, recovered: 0, latencies: [] };
  try {
    for (let i = 1; i <= ctx.turns; i++) {
      // Unique in the thread without fresh vocabulary each turn: the tokenizer's merge cache
      // (gpt-tokenizer, LRU of 100,000 words) would otherwise grow through the run like a leak.
      const text = `${name} turn ${i}`;
      const started = performance.now();
      const dropsBefore = stats.drops;
      const outcome = await turn(text, i, stats);
      stats.latencies.push({ ms: performance.now() - started, kind: stats.drops > dropsBefore ? 'dropped' : i === 1 ? 'first' : 'clean' });
      sent.push({ text, outcome });
    }
  } finally {
    done();
  }
  return { name, channel, sent, stats, history };
}

/** A widget tab: one socket; some turns lose the link before the ack, after it, or mid-answer. */
export async function socketConversation(ctx: SoakContext, name: string): Promise<ConversationRun> {
  const session = await newWebSession(ctx.base);
  const socket: ChatSocket = openChatSocket(ctx.base, session, { reconnection: true });
  await socketConnected(socket, ctx.turnTimeoutMs);
  let knownSeq = 0;
  socket.on('message:done', ({ message }) => (knownSeq = Math.max(knownSeq, message.seq)));

  const resync = async (afterSeq: number): Promise<ResyncResult | null> => {
    const reply = await socket.timeout(5_000).emitWithAck('session:resync', { afterSeq }).catch(() => null);
    return reply?.ok ? reply.data : null;
  };

  /** Resolves at the first message:done after `seq`, or after `ms`. */
  const answeredAfter = (seq: number, ms: number) =>
    new Promise<void>((resolve) => {
      const onDone = ({ message }: { message: MessageDto }) => message.seq > seq && finish();
      const timer = setTimeout(() => finish(), ms);
      const finish = () => {
        clearTimeout(timer);
        socket.off('message:done', onDone);
        resolve();
      };
      socket.on('message:done', onDone);
    });

  const turn = async (text: string, index: number, stats: ConversationStats): Promise<Outcome> => {
    const deadline = Date.now() + ctx.turnTimeoutMs;
    const seqBefore = knownSeq;
    const clientMessageId = `${name}-${index}`;
    // Where this turn's link drops, if it does: right after sending, after the ack, or at the first delta.
    const roll = ctx.random();
    let drop: 'sent' | 'ack' | 'delta' | null = roll < ctx.dropRate ? (['sent', 'ack', 'delta'] as const)[Math.floor((roll / ctx.dropRate) * 3)]! : null;
    // A network drop (socket.io reconnects by itself) or a closed and reopened tab.
    const style = ctx.random() < 0.5 ? 'network' : 'tab';
    const cut = () => (style === 'network' ? socket.io.engine.close() : socket.disconnect());
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return { kind: 'timeout' };
      if (!socket.connected) {
        if (!socket.active) socket.connect();
        await socketConnected(socket, remaining).catch(() => undefined);
        continue;
      }
      const planned = drop;
      drop = null;
      const pending = socketTurn(socket, text, {
        clientMessageId,
        timeoutMs: remaining,
        onAck: () => planned === 'ack' && cut(),
        onDelta: () => planned === 'delta' && socket.connected && cut(),
      });
      if (planned === 'sent') setImmediate(cut);
      const outcome = await pending;
      if (outcome.kind !== 'cut') return outcome;
      stats.drops++;
      if (style === 'tab') await sleep(ctx.random() * 300);
      // Back online: the resync says whether the message got in, and its answer once there is one.
      while (Date.now() < deadline) {
        if (!socket.connected) {
          if (!socket.active) socket.connect();
          await socketConnected(socket, deadline - Date.now()).catch(() => undefined);
          continue;
        }
        const state = await resync(seqBefore);
        if (!state) {
          await sleep(50);
          continue;
        }
        const { userFound, answer } = answerIn(state.messages, text);
        if (answer) {
          stats.recovered++;
          return answer;
        }
        if (!userFound) break; // not stored (yet): send it again under the same id, which the server dedupes
        // Stored and still being answered: back in the session's room, its message:done comes
        // to us as it does to the widget; a resync every second covers one missed meanwhile.
        await answeredAfter(state.messages.find((m) => m.role === 'user' && m.content === text)!.seq, 1000);
      }
      stats.resends++;
    }
  };
  return drive(name, 'socket.io', ctx, turn, () => webHistory(ctx.base, session), () => socket.disconnect());
}

/** An integrator back end streaming over SSE; some turns it walks away after the first token. */
export async function sseConversation(ctx: SoakContext, name: string, key: string): Promise<ConversationRun> {
  const who: Integrator = { key, userId: name };
  const turn = async (text: string, _index: number, stats: ConversationStats): Promise<Outcome> => {
    const walkAway = ctx.random() < ctx.dropRate;
    const controller = new AbortController();
    const outcome = await sseTurn(ctx.base, who, text, { timeoutMs: ctx.turnTimeoutMs, signal: controller.signal, onToken: () => walkAway && controller.abort() });
    if (!controller.signal.aborted) return outcome;
    stats.drops++;
    // The turn goes on without the caller; the history shows its answer once stored.
    const deadline = Date.now() + ctx.turnTimeoutMs;
    while (Date.now() < deadline) {
      const { answer } = answerIn(await integratorHistory(ctx.base, who), text);
      if (answer) {
        stats.recovered++;
        return answer;
      }
      await sleep(50);
    }
    return { kind: 'timeout' };
  };
  return drive(name, 'integrator SSE', ctx, turn, () => integratorHistory(ctx.base, who), () => undefined);
}

/** A web REST caller (seed 001's widget before sockets): one request per turn. */
export async function restConversation(ctx: SoakContext, name: string): Promise<ConversationRun> {
  const session = await newWebSession(ctx.base);
  const turn = (text: string) => webTurn(ctx.base, session, text, ctx.turnTimeoutMs);
  return drive(name, 'web REST', ctx, turn, () => webHistory(ctx.base, session), () => undefined);
}
