import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Injectable } from '@nestjs/common';

/** Where the built dashboard lives: DASHBOARD_DIR, or apps/dashboard/dist from the working directory. */
@Injectable()
export class DashboardAssets {
  readonly directory = resolve(process.env.DASHBOARD_DIR ?? 'apps/dashboard/dist');
  private cached: string | null = null;

  get built(): boolean {
    return existsSync(join(this.directory, 'index.html'));
  }

  async indexHtml(): Promise<string | null> {
    if (this.cached) return this.cached;
    this.cached = await readFile(join(this.directory, 'index.html'), 'utf8').catch(() => null);
    return this.cached;
  }
}
