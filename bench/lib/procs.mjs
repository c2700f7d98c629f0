// Child processes of one bench run, and the guarantee that they all stop: on success,
// on error and on Ctrl+C (the cleanup hooks also drop the bench database and Redis keys).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { setTimeout, clearTimeout } from 'node:timers';
import { processTicks } from './machine.mjs';

const children = new Set();
const cleanups = [];
let stopping = null;
let ticksOfStopped = 0;

/** CPU used so far by this process and every child it started (clock ticks, 100 per second). */
export async function benchTicks() {
  const { user, system } = process.cpuUsage();
  let ticks = ticksOfStopped + Math.round((user + system) / 10_000);
  for (const proc of children) ticks += await processTicks(proc.pid);
  return ticks;
}

/** Work to undo at the end (database, Redis keys, temp dirs), run after every child has stopped. */
export function onCleanup(fn) {
  cleanups.push(fn);
}

/**
 * Starts `node <args>` and resolves once it printed a JSON line with `ready: true`
 * (our own helper scripts) or once `waitReady()` says so (servers we poll).
 */
export async function startNode(name, args, { env = {}, nodeArgs = [], readyLine = true, waitReady, timeoutMs = 90_000 } = {}) {
  let log = '';
  const child = spawn(process.execPath, [...nodeArgs, ...args], {
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = { name, child, pid: child.pid, info: null, output: () => log };
  children.add(proc);
  const exited = new Promise((done) => child.once('exit', (code, signal) => done(code ?? signal)));
  proc.exited = exited;
  let stopped = null;
  proc.stop = (signal = 'SIGTERM', graceMs = 15_000) =>
    (stopped ??= (async () => {
      // Its CPU time stays counted as the bench's once it is gone (its shutdown is not).
      ticksOfStopped += await processTicks(proc.pid);
      children.delete(proc);
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    })());
  const keep = (d) => {
    log += d;
    if (log.length > 200_000) log = log.slice(-100_000);
  };
  child.stderr.on('data', keep);
  const ready = new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      keep(`${line}\n`);
      if (!readyLine || proc.info) return;
      try {
        const parsed = JSON.parse(line);
        if (parsed?.ready) {
          proc.info = parsed;
          resolve();
        }
      } catch {
        /* ordinary log line */
      }
    });
    void exited.then((code) => reject(new Error(`${name} exited early (${code}):\n${log.slice(-4000)}`)));
  });
  const deadline = Date.now() + timeoutMs;
  if (readyLine) {
    await Promise.race([ready, sleep(timeoutMs).then(() => Promise.reject(new Error(`${name} did not start in ${timeoutMs} ms:\n${log}`)))]);
  } else {
    ready.catch(() => undefined);
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${name} exited early (${child.exitCode}):\n${log.slice(-4000)}`);
      if (await waitReady().catch(() => false)) break;
      if (Date.now() > deadline) throw new Error(`${name} did not become ready in ${timeoutMs} ms:\n${log.slice(-4000)}`);
      await sleep(150);
    }
  }
  return proc;
}

/** Stops every child still running, then runs the cleanup hooks (newest first). Idempotent. */
export function stopEverything() {
  stopping ??= (async () => {
    await Promise.all([...children].map((p) => p.stop().catch(() => undefined)));
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (error) {
        console.error(`cleanup: ${error.message}`);
      }
    }
  })();
  return stopping;
}

/** Ctrl+C or a kill: stop the children and undo what we created before exiting. */
export function installSignalHandlers() {
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the bench and cleaning up…`);
      void stopEverything().finally(() => process.exit(130));
    });
  }
}
