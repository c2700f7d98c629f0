#!/usr/bin/env node
// Compiles one workspace package's TypeScript (src/) to ES modules in dist/ with swc.
// swc, not tsc: it emits decorator metadata (Nest's DI needs it) in milliseconds.
// Type checking is `npm run typecheck`'s job.
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { transformFile } from '@swc/core';

const root = resolve(import.meta.dirname, '..');
const [packageDir] = process.argv.slice(2);
if (!packageDir) throw new Error('usage: build-ts.mjs <package dir>');
const srcDir = resolve(root, packageDir, 'src');
const outDir = resolve(root, packageDir, 'dist');
// `@api/x` is the api's own alias for `apps/api/src/x`; rewritten to relative paths here.
const aliasRoot = resolve(root, 'apps/api/src');

async function* sources(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (/\.ts$/.test(entry.name) && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts')) yield path;
  }
}

await rm(outDir, { recursive: true, force: true });
let count = 0;
for await (const file of sources(srcDir)) {
  const { code, map } = await transformFile(file, {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'es6' },
    sourceMaps: true,
  });
  const target = join(outDir, relative(srcDir, file)).replace(/\.ts$/, '.js');
  const rewritten = code.replace(/(['"])@api\/([^'"]+)\1/g, (_, quote, rest) => {
    let path = relative(dirname(join(aliasRoot, relative(srcDir, file))), join(aliasRoot, rest));
    if (!path.startsWith('.')) path = `./${path}`;
    return `${quote}${path}${quote}`;
  });
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, `${rewritten}\n//# sourceMappingURL=${target.split('/').pop()}.map\n`);
  if (map) await writeFile(`${target}.map`, map);
  count++;
}
console.log(`built ${count} files into ${relative(root, outDir)}`);
