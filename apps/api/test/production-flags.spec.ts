import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

// The gateway's V8 flags are listed twice: in scripts/production-node-flags.mjs (npm start, the
// bench, the soak) and in the Dockerfile's CMD, which cannot import it. The image must run as measured.
const read = (path: string) => readFileSync(resolve(process.cwd(), path), 'utf8');

function listedFlags(): string[] {
  const source = read('scripts/production-node-flags.mjs');
  const list = /PRODUCTION_NODE_FLAGS = \[([\s\S]*?)\];/.exec(source)?.[1] ?? '';
  return [...list.matchAll(/^\s*'(--[^']+)',/gm)].map((match) => match[1]!);
}

function imageFlags(): string[] {
  const cmd = /^CMD (\[.*\])$/m.exec(read('Dockerfile'))?.[1];
  const args = JSON.parse(cmd ?? '[]') as string[];
  return args.filter((arg) => arg.startsWith('--'));
}

describe('the V8 flags the gateway runs with', () => {
  it('are the same in npm start, the bench, the soak and the image', () => {
    const flags = listedFlags();
    expect(flags).toEqual(expect.arrayContaining(['--max-semi-space-size=64', '--no-allocation-site-pretenuring']));
    expect(imageFlags()).toEqual(flags);
    expect(read('scripts/start.mjs')).toContain('...PRODUCTION_NODE_FLAGS, ');
    expect(read('bench/lib/targets.mjs')).toContain('...PRODUCTION_NODE_FLAGS, ');
    expect(read('scripts/soak.mjs')).toContain('...PRODUCTION_NODE_FLAGS, ');
  });
});
