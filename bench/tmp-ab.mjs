// throwaway: A/B of two api builds on one store, c=50 alternating, + c=1 alternating blocks
import { stopEverything } from './lib/procs.mjs';
import { restLoad } from './lib/load.mjs';
import { processTicks, ticksByCommand } from './lib/machine.mjs';
import { provisionPostgres, startThreadline, startUpstream } from './lib/targets.mjs';
const up = await startUpstream();
const store = await provisionPostgres('postgres://postgres@127.0.0.1:5432/test', 'redis://127.0.0.1:6379', `ab${Date.now()}`);
process.env.BENCH_API_ENTRY = process.env.BASE; const A = await startThreadline('base', up.baseURL, store);
process.env.BENCH_API_ENTRY = ''; const B = await startThreadline('new', up.baseURL, store);
const MSG = JSON.stringify({ message: 'hello from the bench, please echo this line' });
const res = { base: [], new: [] };
const rounds = Number(process.argv[2] ?? 4);
for (let round = 0; round < rounds; round++) for (const [name, tl] of round % 2 ? [['new', B], ['base', A]] : [['base', A], ['new', B]]) {
  let k = 0; const opts = { url: `${tl.url}/api/chat`, body: MSG, headers: { 'content-type': 'application/json', authorization: `Bearer ${tl.apiKey}` }, connections: 50, headersFor: () => ({ 'x-user-id': `${name}-${k++ % 50}` }) };
  await restLoad({ ...opts, seconds: 2 });
  const b = { t: await processTicks(tl.proc.pid), pg: await ticksByCommand(['postgres']), r: await ticksByCommand(['redis-server']) };
  const r = await restLoad({ ...opts, seconds: 6 });
  const a = { t: await processTicks(tl.proc.pid), pg: await ticksByCommand(['postgres']), r: await ticksByCommand(['redis-server']) };
  const sum = (x, y) => { let d = 0; for (const [pid, t] of x) d += t - (y.get(pid) ?? 0); return d; };
  const line = { tps: r.perSecond, p99: r.latency.p99, api: +((a.t - b.t) * 10 / r.ok).toFixed(3), pg: +(sum(a.pg, b.pg) * 10 / r.ok).toFixed(3), redis: +(sum(a.r, b.r) * 10 / r.ok).toFixed(3) };
  res[name].push(line); console.log(name.padEnd(5), JSON.stringify(line));
}
// c=1: alternate blocks of 2 s
const c1 = { base: [], new: [] };
for (let round = 0; round < rounds * 2; round++) for (const [name, tl] of round % 2 ? [['new', B], ['base', A]] : [['base', A], ['new', B]]) {
  const opts = { url: `${tl.url}/api/chat`, body: MSG, headers: { 'content-type': 'application/json', authorization: `Bearer ${tl.apiKey}` }, connections: 1, headersFor: () => ({ 'x-user-id': `${name}-c1` }) };
  const r = await restLoad({ ...opts, seconds: 2 });
  c1[name].push(r.latency.p50);
}
const med = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
for (const n of ['base', 'new']) console.log(n, 'c50 tps', res[n].map((x) => x.tps).join('/'), 'api', res[n].map((x) => x.api).join('/'), 'pg', res[n].map((x) => x.pg).join('/'), 'redis', res[n].map((x) => x.redis).join('/'), '| c1 p50 median', med(c1[n]), c1[n].join('/'));
await stopEverything(); process.exit(0);
