// Reads what socket-timeline-hook.mjs recorded in a process into turns, and a turn into
// steps: from one socket event to the next, medians over the turns that took the usual path.

const NAMES = {
  '<client': 'request',
  '>client': 'reply',
  '>redis': 'Redis command',
  '<redis': 'Redis answer',
  '>pg': 'Postgres statement',
  '<pg': 'Postgres answer',
  '>upstream': 'model request',
  '<upstream': 'model answer',
};

/** `ports`: { server, redis, postgres, upstream } — whom each connection talks to. */
export function turnsOf(flat, ports) {
  const peerOf = (remote, local) =>
    local === ports.server ? 'client' : remote === ports.redis ? 'redis' : remote === ports.postgres ? 'pg' : remote === ports.upstream ? 'upstream' : `port ${remote}`;
  const turns = [];
  let turn = null;
  for (let i = 0; i < flat.length; i += 4) {
    const event = `${flat[i + 1] ? '>' : '<'}${peerOf(flat[i + 2], flat[i + 3])}`;
    if (event === '<client') turns.push((turn = []));
    if (!turn) continue;
    // A statement goes out as several writes, an answer may come in several reads: the first counts.
    if (turn.at(-1)?.event === event) continue;
    turn.push({ event, ms: flat[i] });
  }
  return turns;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[sorted.length >> 1] : null;
};

/**
 * The most common path of the turns (their sequence of events) and, per step along it, the
 * median time. A step that ends in a read waits for another process (a round trip, and any
 * time this process was busy before it looked); one that ends in a write is this process's
 * own work, all of it on the turn's critical path at concurrency 1.
 */
export function stepsOf(turns) {
  const paths = new Map();
  for (const turn of turns) {
    const path = turn.map((e) => e.event).join(' ');
    paths.set(path, [...(paths.get(path) ?? []), turn]);
  }
  const ranked = [...paths].sort((a, b) => b[1].length - a[1].length);
  const [path, usual] = ranked[0] ?? ['', []];
  const events = path ? path.split(' ') : [];
  const replyAt = events.indexOf('>client');
  const steps = events.slice(1).map((to, k) => ({
    from: events[k],
    to,
    label: `${NAMES[events[k]] ?? events[k]} → ${NAMES[to] ?? to}`,
    kind: to.startsWith('<') ? 'wait' : 'own',
    ms: median(usual.map((turn) => turn[k + 1].ms - turn[k].ms)),
    // On the client's wait: the steps up to and including the reply's write.
    beforeReply: k + 1 <= replyAt,
  }));
  return {
    path,
    turns: turns.length,
    onPath: usual.length,
    otherPaths: ranked.slice(1, 4).map(([other, those]) => ({ path: other, turns: those.length })),
    steps,
    toReplyMs: replyAt > 0 ? median(usual.map((turn) => turn[replyAt].ms - turn[0].ms)) : null,
  };
}
