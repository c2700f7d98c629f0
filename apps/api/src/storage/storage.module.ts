import { Global, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AppConfig } from '@api/config/app-config.js';
import { Database } from './database.js';
import { SettingsService } from './settings.service.js';
import { createDatabase } from './database.factory.js';

@Global()
@Module({
  providers: [SettingsService, { provide: Database, inject: [AppConfig], useFactory: (config: AppConfig) => createDatabase(config) }],
  exports: [Database, SettingsService],
})
export class StorageModule implements OnApplicationShutdown {
  constructor(private readonly moduleRef: ModuleRef) {}

  async onApplicationShutdown(): Promise<void> {
    await this.moduleRef.get(Database).close();
  }
}
