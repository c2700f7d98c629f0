import { createHmac, timingSafeEqual } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '@api/config/app-config.js';
import { SettingsService } from '@api/storage/settings.service.js';

/**
 * A web session token is an HMAC of its session id under a server secret: it opens
 * that one thread and nothing else, needs no storage, and survives the thread being
 * cleared or expired (the same key opens its next thread).
 */
@Injectable()
export class WebTokenService implements OnModuleInit {
  private secret!: Buffer;

  constructor(
    private readonly config: AppConfig,
    private readonly settings: SettingsService,
  ) {}

  async onModuleInit(): Promise<void> {
    this.secret = Buffer.from(this.config.env.SESSION_SECRET ?? (await this.settings.getOrCreate('web_session_secret')));
  }

  issue(sessionId: string): string {
    return createHmac('sha256', this.secret).update(`web-session:${sessionId}`).digest('base64url');
  }

  verify(sessionId: string, token: string): boolean {
    const expected = Buffer.from(this.issue(sessionId));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
