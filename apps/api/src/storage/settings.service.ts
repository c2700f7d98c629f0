import { Injectable } from '@nestjs/common';
import { randomToken } from '@api/common/ids.js';
import { Database } from './database.js';

/** Small key-value settings in the database, shared by every instance. */
@Injectable()
export class SettingsService {
  constructor(private readonly db: Database) {}

  async get(key: string): Promise<string | null> {
    const { rows } = await this.db.query<{ value: string }>(`SELECT value FROM settings WHERE key = $1`, [key]);
    return rows[0]?.value ?? null;
  }

  /** The first instance to ask generates the value; everyone else reads the same one. */
  async getOrCreate(key: string, generate: () => string = () => randomToken(32)): Promise<string> {
    await this.db.query(`INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, [key, generate()]);
    return (await this.get(key))!;
  }
}
