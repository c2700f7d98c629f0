#!/usr/bin/env node
// `npm test`: every tier this machine can run. Types first, then jest's unit,
// dashboard and integration projects, then the browser tier when a Chromium exists.
// `npm test -- unit|int|e2e|dashboard` runs one tier; extra args go to jest.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const TIERS = ['unit', 'dashboard', 'int', 'e2e'];
const args = process.argv.slice(2);
const chosen = args.filter((a) => TIERS.includes(a));
const passThrough = args.filter((a) => !TIERS.includes(a) && a !== '--');
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const run = (cmd, cmdArgs, env = {}) => spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env: { ...process.env, TZ: 'UTC', ...env } }).status ?? 1;

let tiers = chosen.length ? chosen : TIERS;
if (tiers.includes('e2e') && !existsSync(chromium)) {
  console.log(`\nSkipping the browser tier: no Chromium at ${chromium} (apt-get install chromium, or set CHROMIUM_PATH).\n`);
  tiers = tiers.filter((t) => t !== 'e2e');
}
if (process.env.DATABASE_URL && process.env.REDIS_URL) console.log('Integration suites run on embedded PGlite and on the real Postgres + Redis (DATABASE_URL, REDIS_URL).');
else console.log('Integration suites run on embedded PGlite; set DATABASE_URL and REDIS_URL to add real Postgres + Redis.');

if (!chosen.length) {
  console.log('\n> typecheck');
  if (run('npx', ['tsc', '-b', 'tsconfig.json']) !== 0) process.exit(1);
}
if (tiers.includes('e2e') || tiers.includes('int')) {
  // The browser tier drives the built dashboard and widget; the scale-out suite runs built api processes.
  if (run('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static'], { NX_DAEMON: 'false' }) !== 0) process.exit(1);
}
const projects = tiers.flatMap((t) => ['--selectProjects', t]);
// --forceExit: a suite that leaks a handle (a socket the server closed late, a keep-alive
// agent) must not keep CI waiting after every test has reported.
const status = run('npx', ['jest', '--forceExit', ...passThrough, ...projects], { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules --no-warnings=ExperimentalWarning`.trim() });
process.exit(status);
