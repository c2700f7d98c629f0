// A soak run: many concurrent conversations over every turn path, with links dropping and
// coming back, then every stored thread checked: each turn stored once and answered once.
import { newApiKey } from './chat-clients.js';
import { restConversation, socketConversation, sseConversation, type ConversationRun, type SoakChannel, type SoakContext, type TurnKind } from './soak-conversations.js';
import { threadViolations } from './thread-invariants.js';

export interface SoakOptions {
  base: string;
  /** MASTER_KEY of the api, to make the integrators' API key */
  masterKey: string;
  sessions: number;
  turns: number;
  /** shares of socket.io, web REST and integrator SSE conversations; default 60/20/20 */
  mix?: Record<SoakChannel, number>;
  /** chance that a socket or SSE turn loses its link mid-turn; default 0.2 */
  dropRate?: number;
  turnTimeoutMs?: number;
  seed?: number;
  /** the answer every complete turn must carry (the fake upstream echoes) */
  expectedAnswer?: (text: string) => string;
  log?: (line: string) => void;
}

export interface SoakReport {
  sessions: number;
  turns: number;
  byChannel: Record<SoakChannel, number>;
  answered: number;
  drops: number;
  resends: number;
  recovered: number;
  durationMs: number;
  turnsPerSecond: number;
  /** send to answer: first turns, later undisturbed turns, turns whose link dropped (reconnect and resync included) */
  latencyMs: Record<TurnKind, { p50: number; p99: number; max: number }>;
  /** later undisturbed turns by channel */
  latencyByChannelMs: Record<SoakChannel, { p50: number; p99: number; max: number }>;
  /** turns that did not end in a complete answer, as the client saw them */
  failures: Array<{ conversation: string; channel: SoakChannel; text: string; outcome: unknown }>;
  /** threads whose stored messages break an invariant */
  violations: Array<{ conversation: string; channel: SoakChannel; problems: string[] }>;
}

/** Deterministic randomness (mulberry32), so a failing run's drops can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Channel of conversation `i`: spread evenly by the mix, so every share shows up even in small runs. */
function channelOf(i: number, sessions: number, mix: Record<SoakChannel, number>): SoakChannel {
  const total = mix['socket.io'] + mix['web REST'] + mix['integrator SSE'];
  const position = ((i + 0.5) / sessions) * total;
  if (position < mix['socket.io']) return 'socket.io';
  return position < mix['socket.io'] + mix['web REST'] ? 'web REST' : 'integrator SSE';
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const mix = options.mix ?? { 'socket.io': 60, 'web REST': 20, 'integrator SSE': 20 };
  const seed = options.seed ?? 1;
  // One random stream per conversation: its drops are the same on every run with the same seed.
  const contextOf = (i: number): SoakContext => ({
    base: options.base,
    turns: options.turns,
    dropRate: options.dropRate ?? 0.2,
    turnTimeoutMs: options.turnTimeoutMs ?? 60_000,
    random: seededRandom(seed * 100_003 + i),
  });
  const key = await newApiKey(options.base, options.masterKey);
  const runId = Date.now().toString(36);
  const total = options.sessions * options.turns;
  const started = performance.now();
  let finished = 0;
  const progress = options.log
    ? setInterval(() => options.log!(`  ${finished}/${options.sessions} conversations done, ${((performance.now() - started) / 1000).toFixed(0)} s`), 10_000)
    : null;
  let runs: ConversationRun[];
  try {
    runs = await Promise.all(
      Array.from({ length: options.sessions }, async (_, i) => {
        const name = `soak-${runId}-${i}`;
        const channel = channelOf(i, options.sessions, mix);
        const ctx = contextOf(i);
        const run = channel === 'socket.io' ? socketConversation(ctx, name) : channel === 'web REST' ? restConversation(ctx, name) : sseConversation(ctx, name, key);
        const result = await run;
        finished++;
        return result;
      }),
    );
  } finally {
    if (progress) clearInterval(progress);
  }
  const durationMs = performance.now() - started;

  const failures: SoakReport['failures'] = [];
  for (const run of runs) {
    for (const turn of run.sent) {
      const o = turn.outcome;
      const good = o.kind === 'answered' && o.status === 'complete' && (!options.expectedAnswer || o.content === options.expectedAnswer(turn.text));
      if (!good) failures.push({ conversation: run.name, channel: run.channel, text: turn.text, outcome: o });
    }
  }
  // Every stored thread, a few at a time: exactly one user row and one answer per turn.
  const violations: SoakReport['violations'] = [];
  for (let i = 0; i < runs.length; i += 20) {
    await Promise.all(
      runs.slice(i, i + 20).map(async (run) => {
        const stored = await run.history();
        const problems = threadViolations(stored, run.sent, { expectedAnswer: options.expectedAnswer });
        const users = stored.filter((m) => m.role === 'user').length;
        const answers = stored.filter((m) => m.role === 'assistant').length;
        if (users !== run.sent.length) problems.push(`${users} user messages stored for ${run.sent.length} turns`);
        if (answers !== run.sent.length) problems.push(`${answers} answers stored for ${run.sent.length} turns`);
        if (problems.length) violations.push({ conversation: run.name, channel: run.channel, problems });
      }),
    );
  }
  const latencyOf = (kind: TurnKind, channel?: SoakChannel) => {
    const sorted = runs
      .filter((r) => !channel || r.channel === channel)
      .flatMap((r) => r.stats.latencies.filter((l) => l.kind === kind).map((l) => l.ms))
      .sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? 0 };
  };
  const sum = (pick: (r: ConversationRun) => number) => runs.reduce((n, r) => n + pick(r), 0);
  const byChannel = { 'socket.io': 0, 'web REST': 0, 'integrator SSE': 0 };
  for (const run of runs) byChannel[run.channel]++;
  return {
    sessions: options.sessions,
    turns: total,
    byChannel,
    answered: total - failures.length,
    drops: sum((r) => r.stats.drops),
    resends: sum((r) => r.stats.resends),
    recovered: sum((r) => r.stats.recovered),
    durationMs,
    turnsPerSecond: total / (durationMs / 1000),
    latencyMs: { first: latencyOf('first'), clean: latencyOf('clean'), dropped: latencyOf('dropped') },
    latencyByChannelMs: { 'socket.io': latencyOf('clean', 'socket.io'), 'web REST': latencyOf('clean', 'web REST'), 'integrator SSE': latencyOf('clean', 'integrator SSE') },
    failures,
    violations,
  };
}
