// Private Redis and Postgres servers on free ports, for tests that stop and restart them.
// The machine's shared servers (5432, 6379) serve other suites at the same time and must
// never be restarted by a test; these belong to one suite and are thrown away after it.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './api-process.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function which(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, command))) return join(dir, command);
  }
  return null;
}

/** The directory holding initdb and pg_ctl: Debian's newest /usr/lib/postgresql/<ver>/bin, else pg_config's. */
function postgresBinDir(): string | null {
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).filter((v) => existsSync(join(debian, v, 'bin/initdb'))).sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(debian, versions[0], 'bin');
  }
  const pgConfig = which('pg_config');
  if (!pgConfig) return null;
  try {
    const dir = execFileSync(pgConfig, ['--bindir'], { encoding: 'utf8' }).trim();
    return existsSync(join(dir, 'initdb')) ? dir : null;
  } catch {
    return null;
  }
}

/** Why private servers cannot run here (a missing binary), or null when they can. */
export function privateServersMissing(): string | null {
  if (!which('redis-server')) return 'redis-server is not installed (apt-get install redis-server)';
  if (!postgresBinDir()) return 'Postgres server binaries (initdb, pg_ctl) are not installed (apt-get install postgresql)';
  if (process.getuid?.() === 0 && !which('runuser')) return 'running as root without runuser, so initdb cannot run as the postgres user';
  return null;
}

/** Resolves once something on `port` answers a Redis PING. */
async function redisAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok: boolean) => (socket.destroy(), resolve(ok));
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(String(data).startsWith('+PONG')));
  });
}

export interface PrivateRedis {
  url: string;
  port: number;
  readonly running: boolean;
  /** 'term': a clean shutdown (SHUTDOWN, nothing saved); 'kill': SIGKILL, a crash */
  stop(mode?: 'term' | 'kill'): Promise<void>;
  /** starts it again on the same port, empty (no persistence), and waits for PING */
  start(): Promise<void>;
  /** SIGSTOP: it keeps its connections open and answers nothing, as a frozen host does; resume() is SIGCONT */
  pause(): void;
  resume(): void;
  dispose(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const binary = which('redis-server');
  if (!binary) throw new Error('redis-server is not installed');
  const port = await freePort();
  let child: ChildProcess | null = null;
  let log = '';
  const start = async () => {
    const proc = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--daemonize', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout!.on('data', (d) => (log = (log + d).slice(-20_000)));
    proc.stderr!.on('data', (d) => (log = (log + d).slice(-20_000)));
    child = proc;
    const deadline = Date.now() + 10_000;
    while (!(await redisAnswers(port))) {
      if (proc.exitCode !== null) throw new Error(`redis-server exited (${proc.exitCode}):\n${log}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on ${port}:\n${log}`);
      await sleep(30);
    }
  };
  const stop = async (mode: 'term' | 'kill' = 'term') => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill(mode === 'kill' ? 'SIGKILL' : 'SIGTERM');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get running() {
      return child !== null;
    },
    stop,
    start,
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    dispose: async () => {
      child?.kill('SIGCONT');
      await stop('kill');
    },
  };
}

export interface PrivatePostgres {
  /** superuser URL of the `postgres` database */
  url: string;
  port: number;
  readonly running: boolean;
  /** pg_ctl stop: 'fast' disconnects clients and shuts down cleanly, 'immediate' is a crash (recovery on the next start) */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  log(): Promise<string>;
  dispose(): Promise<void>;
}

/**
 * A throwaway cluster (initdb) in a temp dir, trust auth on 127.0.0.1 and a private
 * unix socket dir. As root, initdb and pg_ctl run as the `postgres` user (they refuse root).
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('Postgres server binaries are not installed');
  const asRoot = process.getuid?.() === 0;
  const run = (tool: string, args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const [command, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args];
      let out = '';
      const proc = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: tmpdir() });
      proc.stdout!.on('data', (d) => (out += d));
      proc.stderr!.on('data', (d) => (out += d));
      proc.once('error', reject);
      proc.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${tool} ${args.join(' ')} exited ${code}:\n${out}`))));
    });
  const dir = await mkdtemp(join(tmpdir(), 'tl-pg-'));
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
    await chown(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const port = await freePort();
  await run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
  let running = false;
  // fsync off: a test cluster need not survive the machine crashing, only its own "crash" (immediate stop).
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
  const start = async () => {
    await run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start']);
    running = true;
  };
  const stop = async (mode: 'fast' | 'immediate' = 'fast') => {
    if (!running) return;
    await run('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
    running = false;
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    get running() {
      return running;
    },
    stop,
    start,
    log: () => readFile(join(dir, 'server.log'), 'utf8').catch(() => ''),
    async dispose() {
      await stop('immediate').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
