import { Module } from '@nestjs/common';
import { ChatModule } from '@api/chat/chat.module.js';
import { IntegratorChatController } from './integrator-chat.controller.js';
import { IntegratorChatService } from './integrator-chat.service.js';

@Module({ imports: [ChatModule], controllers: [IntegratorChatController], providers: [IntegratorChatService] })
export class RestChannelModule {}
