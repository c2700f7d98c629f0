// Plain JS: jest loads global setup outside its ESM transform, so this only names the
// run. The migrated templates are made by the first suite that needs them (harness.ts).
export default async function globalSetup() {
  process.env.TZ = 'UTC';
  process.env.TL_TEST_RUN_ID ??= `${Date.now().toString(36)}${process.pid}`;
}
