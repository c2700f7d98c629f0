// The workspace build every bench entry point starts with, so each works from a clean checkout.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export function buildWorkspace(root, log) {
  log('building (npx nx run-many -t build)…');
  const run = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '--outputStyle=static'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (run.status !== 0) {
    console.error(run.stdout.slice(-6000), run.stderr.slice(-4000));
    throw new Error('the build failed');
  }
  for (const file of ['apps/api/dist/main.js', 'libs/testing/dist/index.js']) {
    if (!existsSync(join(root, file))) throw new Error(`${file} is missing after the build`);
  }
}
