import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Controller, Get, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '@api/common/api-error.js';
import { AppConfig } from '@api/config/app-config.js';
import { demoPage } from './widget-demo.js';

interface Built {
  mtimeMs: number;
  size: number;
  body: Buffer;
  etag: string;
}

/**
 * The built widget at /widget.js and a page that embeds it at /demo. The script's URL
 * has no version in it (it is pasted into other sites), so the cache is short and
 * revalidated by ETag: a new build reaches every page within minutes.
 */
@Controller()
export class WidgetAssetsController {
  private readonly file: string;
  private built: Built | null = null;

  constructor(config: AppConfig) {
    this.file = resolve(config.env.WIDGET_DIR, 'widget.js');
  }

  @Get('widget.js')
  async script(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const asset = await this.load();
    if (!asset) throw new ApiError('not_found', `the widget is not built (no ${this.file}): run \`npm run build\` (npm start does it for you)`);
    void reply
      .header('content-type', 'text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=300, must-revalidate')
      .header('etag', asset.etag)
      .header('x-content-type-options', 'nosniff')
      // Pages with Cross-Origin-Embedder-Policy may load it from here.
      .header('cross-origin-resource-policy', 'cross-origin');
    const ifNoneMatch = request.headers['if-none-match'];
    if (typeof ifNoneMatch === 'string' && ifNoneMatch.split(',').some((tag) => tag.trim() === asset.etag)) {
      await reply.status(304).send();
      return;
    }
    await reply.send(asset.body);
  }

  @Get('demo')
  async demo(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const origin = `${request.protocol}://${request.host}`;
    await reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(demoPage(origin));
  }

  /**
   * Re-read only when the file changed, so a rebuild is served without a restart. While
   * a build has removed the file (vite empties dist first), the last good copy is served.
   */
  private async load(): Promise<Built | null> {
    const info = await stat(this.file).catch(() => null);
    if (!info?.isFile()) return this.built;
    if (this.built && this.built.mtimeMs === info.mtimeMs && this.built.size === info.size) return this.built;
    const body = await readFile(this.file).catch(() => null);
    if (!body) return this.built;
    this.built = { mtimeMs: info.mtimeMs, size: info.size, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    return this.built;
  }
}
