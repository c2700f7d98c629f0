// The built gateway (apps/api/dist/main.js) as its own OS process, as production runs it:
// for tests that kill, restart or measure it, and for the soak script.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

export interface ApiProcessOptions {
  /** the built entry point; default apps/api/dist/main.js under the current directory */
  entry?: string;
  /** a fixed port, e.g. to restart "the same server" that clients reconnect to */
  port?: number;
  /** extra node flags, e.g. --inspect=127.0.0.1:0 */
  nodeArgs?: string[];
  readyTimeoutMs?: number;
}

export interface ApiProcess {
  url: string;
  port: number;
  child: ChildProcess;
  output: () => string;
  /** resolves when the process is gone, with its exit code (null when a signal ended it) */
  exited: Promise<number | null>;
  /** sends `signal` (SIGTERM by default) and waits for the exit */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export const defaultApiEntry = () => resolve(process.cwd(), 'apps/api/dist/main.js');

/** Starts the api and resolves once /api/health answers 200; throws with the process log otherwise. */
export async function startApiProcess(env: Record<string, string>, options: ApiProcessOptions = {}): Promise<ApiProcess> {
  const entry = options.entry ?? defaultApiEntry();
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` (npm test does it)`);
  const port = options.port ?? (await freePort());
  let log = '';
  const keep = (d: Buffer | string) => {
    log += d;
    // A long run must not grow the test runner's memory with the child's log.
    if (log.length > 400_000) log = log.slice(-200_000);
  };
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), entry], {
    // The storage mode is what `env` says: a DATABASE_URL or REDIS_URL in the test runner's
    // own environment (CI sets both) must not turn an embedded process into a shared one.
    env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', REDIS_KEY_PREFIX: '', NODE_OPTIONS: '', NODE_ENV: 'test', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`api process exited early (${child.exitCode ?? child.signalCode}):\n${log}`);
    const ok = await fetch(`${url}/api/health`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`api process did not become healthy:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    child,
    output: () => log,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
