// What the figures were measured on, and how busy the machine was with other work.
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import { setInterval, clearInterval } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';

export function machineInfo() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    memoryGB: Math.round(os.totalmem() / 2 ** 30 * 10) / 10,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    hostname: os.hostname(),
  };
}

export function gitInfo(root) {
  const git = (...args) => {
    try {
      return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return null;
    }
  };
  return { commit: git('rev-parse', 'HEAD') ?? 'unknown', branch: git('rev-parse', '--abbrev-ref', 'HEAD'), dirty: Boolean(git('status', '--porcelain')) };
}

/** Whole-machine CPU counters from /proc/stat, in clock ticks (all cores summed). */
export async function cpuTimes() {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0];
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = fields[3] + (fields[4] ?? 0);
  const total = fields.reduce((a, b) => a + b, 0);
  return { idle, total };
}

/**
 * Share of all cores busy over `ms` (0–1), from /proc/stat. Measured while the bench runs
 * nothing, it is how much other people's work (test runs, builds) competes with the bench.
 */
export async function busyShare(ms = 3000) {
  try {
    const a = await cpuTimes();
    await sleep(ms);
    const b = await cpuTimes();
    const total = b.total - a.total;
    return total > 0 ? Math.round((1 - (b.idle - a.idle) / total) * 1000) / 1000 : null;
  } catch {
    return null;
  }
}

export const loadAverage = () => os.loadavg().map((x) => Math.round(x * 100) / 100);

/** User + system CPU of one process so far, in clock ticks (/proc/<pid>/stat); 0 when gone. */
export async function processTicks(pid) {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (!text) return 0;
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** CPU ticks per pid of every process whose command name is in `names` (e.g. postgres, redis-server). */
export async function ticksByCommand(names) {
  const out = new Map();
  const entries = await readdir('/proc').catch(() => []);
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const text = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => null);
    if (!text) continue;
    const comm = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
    if (!names.includes(comm)) continue;
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    out.set(entry, Number(fields[11]) + Number(fields[12]));
  }
  return out;
}

/**
 * CPU ticks used from now until stop() by processes named in `names`. Sampled every
 * second, because Postgres backends come and go with their connections and take their
 * counters with them; a process first seen after the start counts from zero.
 */
export async function trackCommands(names, everyMs = 1000) {
  const first = new Map();
  const last = new Map();
  let started = false;
  const sample = async () => {
    for (const [pid, ticks] of await ticksByCommand(names)) {
      if (!first.has(pid)) first.set(pid, started ? 0 : ticks);
      last.set(pid, ticks);
    }
  };
  await sample();
  started = true;
  const timer = setInterval(() => void sample(), everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await sample();
      let sum = 0;
      for (const [pid, ticks] of last) sum += ticks - first.get(pid);
      return sum;
    },
  };
}
