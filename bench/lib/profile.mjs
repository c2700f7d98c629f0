// Reads a V8 .cpuprofile (node --cpu-prof) and lists where the CPU went: top functions
// by self time, and self time by package (node_modules/<pkg>, our own dist files, node internals).
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

function shortUrl(url) {
  if (!url) return '(native)';
  const path = url.replace(/^file:\/\//, '');
  return path.startsWith(ROOT) ? path.slice(ROOT.length + 1) : path;
}

function packageOf(url) {
  const path = shortUrl(url);
  const modules = path.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = path.slice(modules + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (path.startsWith('node:') || !path.includes('/')) return path === '(native)' ? '(native / GC / idle)' : 'node internals';
  return path.split('/').slice(0, 3).join('/');
}

/** Now on the clock V8 stamps profiles with (the monotonic clock, in µs), for `window` below. */
export const profileClockMicros = () => Number(process.hrtime.bigint() / 1000n);

/** `window` ({ from, to } from profileClockMicros): only the samples taken in it count, not start-up and idle phases. */
export async function summarizeProfile(file, top = 25, window = null) {
  const profile = JSON.parse(await readFile(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (window && (at < window.from || at > window.to)) continue;
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + delta);
  }
  const functions = new Map();
  const packages = new Map();
  let busy = 0;
  for (const [id, micros] of self) {
    const { callFrame } = byId.get(id);
    const name = callFrame.functionName || '(anonymous)';
    if (name === '(idle)' || name === '(program)') continue;
    busy += micros;
    const key = `${name}  ${shortUrl(callFrame.url)}:${callFrame.lineNumber + 1}`;
    functions.set(key, (functions.get(key) ?? 0) + micros);
    const pkg = name === '(garbage collector)' ? '(garbage collector)' : packageOf(callFrame.url);
    packages.set(pkg, (packages.get(pkg) ?? 0) + micros);
  }
  const rank = (map) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => ({ name, ms: Math.round(micros / 1000), share: Math.round((1000 * micros) / busy) / 10 }));
  return { file, busyMs: Math.round(busy / 1000), functions: rank(functions), packages: rank(packages) };
}
