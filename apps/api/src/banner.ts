import { resolve } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { FirstAdminService } from './admin/first-admin.service.js';
import type { AppConfig } from './config/app-config.js';
import { ChannelRegistry } from './health/channel-registry.js';

/** What a new user needs after `npm start`: where things are, and which mode each part runs in. */
export function printBanner(app: NestFastifyApplication, config: AppConfig): void {
  const env = config.env;
  const base = env.PUBLIC_URL ?? `http://localhost:${env.PORT}`;
  const admin = app.get(FirstAdminService).notice;
  const lines = [
    '',
    `Threadline is running on ${base}`,
    `  dashboard     ${base}/`,
    `  widget demo   ${base}/demo   (embed: <script src="${base}/widget.js" async></script>)`,
    `  API docs      ${base}/api/docs`,
    `  health        ${base}/api/health`,
  ];
  if (admin) {
    const password = admin.password ? `password ${admin.password}` : admin.source === 'env' ? 'password from ADMIN_PASSWORD' : 'password as set earlier';
    lines.push(`  staff login   ${admin.email}, ${password}${admin.file ? ` (kept in ${admin.file})` : ''}`);
  }
  lines.push(
    '',
    `  storage       ${config.storageKind === 'postgres' ? `Postgres (DATABASE_URL)` : `embedded PGlite in ${resolve(env.DATA_DIR, 'pglite')} (set DATABASE_URL for Postgres)`}`,
    `  coordination  ${config.coordinationKind === 'redis' ? 'Redis (REDIS_URL)' : 'in-process (set REDIS_URL to run several instances)'}`,
    `  model         ${config.modelMode === 'openai' ? `${env.OPENAI_MODEL} at ${env.OPENAI_BASE_URL ?? 'api.openai.com'}` : 'simulated, offline (set OPENAI_API_KEY for a real model)'}`,
    `  context       newest ${env.CONTEXT_MAX_MESSAGES} messages / ${env.CONTEXT_MAX_TOKENS} tokens, summary ${env.CONTEXT_SUMMARY}`,
    `  channels      ${Object.entries(app.get(ChannelRegistry).snapshot()).map(([name, s]) => (s.enabled ? name : `${name} (off: ${s.reason})`)).join(', ')}`,
    `  master key    ${env.MASTER_KEY ? 'set' : 'not set (create API keys from the dashboard or POST /api/admin/api-keys)'}`,
    '',
  );
  console.log(lines.join('\n'));
}
