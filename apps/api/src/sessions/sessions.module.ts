import { Module } from '@nestjs/common';
import { SessionEvents } from './session-events.js';
import { SessionRepository } from './session.repository.js';
import { SearchIndexUpkeep } from './search-index-upkeep.js';
import { SessionSweeper } from './session-sweeper.js';
import { SessionsService } from './sessions.service.js';
import { WindowCache } from './window-cache.js';
import { WindowService } from './window.service.js';

@Module({
  providers: [SessionRepository, SessionsService, SessionEvents, WindowCache, WindowService, SessionSweeper, SearchIndexUpkeep],
  exports: [SessionRepository, SessionsService, SessionEvents, WindowCache, WindowService, SessionSweeper],
})
export class SessionsModule {}
