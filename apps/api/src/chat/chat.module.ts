import { Module } from '@nestjs/common';
import { SessionsModule } from '@api/sessions/sessions.module.js';
import { CommandService } from './commands.js';
import { InFlightRegistry } from './in-flight.registry.js';
import { InterruptedTurns } from './interrupted-turns.js';
import { SummaryService } from './summary.service.js';
import { TurnRecorder } from './turn-recorder.js';
import { TurnService } from './turn.service.js';

@Module({
  imports: [SessionsModule],
  providers: [TurnService, TurnRecorder, CommandService, InFlightRegistry, SummaryService, InterruptedTurns],
  exports: [TurnService, InFlightRegistry, SummaryService, SessionsModule],
})
export class ChatModule {}
