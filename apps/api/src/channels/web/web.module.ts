import { Module } from '@nestjs/common';
import { ChatModule } from '@api/chat/chat.module.js';
import { ChatSocketGateway } from './chat-socket.gateway.js';
import { WebChatService } from './web-chat.service.js';
import { WebSessionsController } from './web-sessions.controller.js';
import { WebTokenService } from './web-token.service.js';

@Module({
  imports: [ChatModule],
  controllers: [WebSessionsController],
  providers: [WebTokenService, WebChatService, ChatSocketGateway],
  exports: [WebTokenService],
})
export class WebChannelModule {}
