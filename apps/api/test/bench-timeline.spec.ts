import { resolve } from 'node:path';

// bench/lib/timeline.mjs reads the socket events `npm run bench:timeline` records into turns
// and steps. The bench itself is run by hand; what it concludes from its events is tested here.
interface Step {
  from: string;
  to: string;
  label: string;
  kind: 'own' | 'wait';
  ms: number | null;
  beforeReply: boolean;
}
interface Timeline {
  turnsOf(flat: number[], ports: { server: number; redis: number; postgres: number; upstream: number }): Array<Array<{ event: string; ms: number }>>;
  stepsOf(turns: Array<Array<{ event: string; ms: number }>>): { path: string; turns: number; onPath: number; otherPaths: Array<{ path: string; turns: number }>; steps: Step[]; toReplyMs: number | null };
}

const ports = { server: 8080, redis: 6379, postgres: 5432, upstream: 9000 };
const CLIENT = 40001;
const READ = 0;
const WRITE = 1;
/** One recorded event: [ms, isWrite, remotePort, localPort], as the hook flattens them. */
const at = (ms: number, isWrite: number, remote: number, local = 50000) => [ms, isWrite, remote, local];
const request = (ms: number) => at(ms, READ, CLIENT, ports.server);
const reply = (ms: number) => at(ms, WRITE, CLIENT, ports.server);

/** A turn: request, lock, durable append (several writes), model, answer's append, reply, release. */
function turn(start: number, durableMs: number): number[] {
  return [
    ...request(start),
    ...at(start + 0.1, WRITE, ports.redis),
    ...at(start + 0.2, READ, ports.redis),
    ...at(start + 0.3, WRITE, ports.postgres),
    ...at(start + 0.3, WRITE, ports.postgres),
    ...at(start + 0.3 + durableMs, READ, ports.postgres),
    ...at(start + 0.4 + durableMs, WRITE, ports.upstream),
    ...at(start + 0.6 + durableMs, READ, ports.upstream),
    ...at(start + 0.6 + durableMs, READ, ports.upstream),
    ...reply(start + 0.7 + durableMs),
    ...at(start + 0.8 + durableMs, WRITE, ports.redis),
  ];
}

describe('the c=1 timeline of the bench', () => {
  let timeline: Timeline;
  beforeAll(async () => {
    // A path the compiler does not follow: the bench is plain JavaScript without types.
    const file = resolve(process.cwd(), 'bench/lib/timeline.mjs');
    timeline = (await import(file)) as Timeline;
  });

  it('cuts the events into turns at each request, each peer named by its port, a burst of one kind counted once', () => {
    const flat = [...at(0, WRITE, ports.redis), ...turn(10, 0.5), ...turn(20, 0.5)];
    const turns = timeline.turnsOf(flat, ports);
    expect(turns).toHaveLength(2);
    expect(turns[0]!.map((e) => e.event)).toEqual(['<client', '>redis', '<redis', '>pg', '<pg', '>upstream', '<upstream', '>client', '>redis']);
    expect(turns[0]![3]).toEqual({ event: '>pg', ms: 10.3 });
    expect(turns[1]![0]).toEqual({ event: '<client', ms: 20 });
  });

  it('names a connection to anyone else by its port', () => {
    const turns = timeline.turnsOf([...request(0), ...at(1, WRITE, 7777)], ports);
    expect(turns[0]!.map((e) => e.event)).toEqual(['<client', '>port 7777']);
  });

  it('times each step of the usual path by its median, and tells own work from waiting', () => {
    const flat = [...turn(10, 0.5), ...turn(20, 0.7), ...turn(30, 0.6), ...request(40), ...reply(41)];
    const result = timeline.stepsOf(timeline.turnsOf(flat, ports));
    expect(result.turns).toBe(4);
    expect(result.onPath).toBe(3);
    expect(result.otherPaths).toEqual([{ path: '<client >client', turns: 1 }]);
    const durable = result.steps[3]!;
    expect(durable).toMatchObject({ from: '>pg', to: '<pg', kind: 'wait', label: 'Postgres statement → Postgres answer' });
    expect(durable.ms).toBeCloseTo(0.6);
    expect(result.steps[0]).toMatchObject({ label: 'request → Redis command', kind: 'own' });
    expect(result.steps[0]!.ms).toBeCloseTo(0.1);
    expect(result.toReplyMs).toBeCloseTo(1.3);
    expect(result.steps.map((s) => s.beforeReply)).toEqual([true, true, true, true, true, true, true, false]);
  });

  it('has nothing to say of no turns', () => {
    expect(timeline.stepsOf([])).toMatchObject({ path: '', turns: 0, onPath: 0, steps: [], toReplyMs: null });
  });
});
