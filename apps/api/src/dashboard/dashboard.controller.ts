import { Controller, Get, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '@api/common/api-error.js';
import { DashboardAssets } from './dashboard-assets.js';

const NOT_THE_DASHBOARD = /^\/(api|v1|webhooks|socket\.io|metrics)(\/|$)/;

/** Client-side routes of the dashboard all load its index.html; unknown API paths stay JSON 404s. */
@Controller()
export class DashboardController {
  constructor(private readonly assets: DashboardAssets) {}

  @Get('*')
  async spa(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    if (NOT_THE_DASHBOARD.test(request.url)) throw new ApiError('not_found', 'no such route');
    const html = await this.assets.indexHtml();
    if (!html) throw new ApiError('not_found', 'the dashboard is not built: run `npm run build` (npm start does it for you)');
    await reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  }
}
