#!/usr/bin/env node
// `npm start`: build what changed (Nx caches the rest), then run the gateway.
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { PRODUCTION_NODE_FLAGS } from './production-node-flags.mjs';

const root = resolve(import.meta.dirname, '..');
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env });
if (build.status !== 0) {
  console.error('Threadline: the build failed (see above).');
  process.exit(build.status ?? 1);
}
// The young generation sized and V8's pretenuring off for a turn's short-lived garbage (bench/README.md).
const gateway = spawn(process.execPath, [...PRODUCTION_NODE_FLAGS, 'apps/api/dist/main.js'], { cwd: root, stdio: 'inherit', env: process.env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => gateway.kill(signal));
gateway.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
