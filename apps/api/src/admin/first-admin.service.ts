import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { randomToken } from '@api/common/ids.js';
import { AppConfig } from '@api/config/app-config.js';
import { StaffAuthService } from './staff-auth.service.js';

export interface FirstAdminNotice {
  email: string;
  /** shown when it was generated on this boot, or is kept in the credentials file */
  password: string | null;
  source: 'env' | 'generated' | 'existing';
  file: string | null;
}

const DEFAULT_EMAIL = 'admin@threadline.local';

/**
 * Seeds the first staff account: from ADMIN_EMAIL / ADMIN_PASSWORD, or generated once,
 * kept in DATA_DIR/initial-admin.txt (mode 600) so `npm start` can show it again
 * until someone changes it.
 */
@Injectable()
export class FirstAdminService implements OnApplicationBootstrap {
  notice: FirstAdminNotice | null = null;

  constructor(
    private readonly staff: StaffAuthService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { ADMIN_EMAIL, ADMIN_PASSWORD, DATA_DIR } = this.config.env;
    const file = resolve(DATA_DIR, 'initial-admin.txt');
    if ((await this.staff.count()) > 0) {
      const kept = await readFile(file, 'utf8').catch(() => null);
      const [email, password] = kept?.trim().split('\n') ?? [];
      this.notice = { email: email ?? ADMIN_EMAIL ?? DEFAULT_EMAIL, password: ADMIN_PASSWORD ? null : (password ?? null), source: 'existing', file: kept ? file : null };
      return;
    }
    if (ADMIN_PASSWORD) {
      await this.staff.create(ADMIN_EMAIL ?? DEFAULT_EMAIL, ADMIN_PASSWORD, 'admin');
      this.notice = { email: ADMIN_EMAIL ?? DEFAULT_EMAIL, password: null, source: 'env', file: null };
      return;
    }
    const email = ADMIN_EMAIL ?? DEFAULT_EMAIL;
    const password = randomToken(12);
    if (!(await this.staff.create(email, password, 'admin'))) return; // another instance won the race
    await mkdir(DATA_DIR, { recursive: true });
    await writeFile(file, `${email}\n${password}\n`, { mode: 0o600 });
    this.notice = { email, password, source: 'generated', file };
  }
}
