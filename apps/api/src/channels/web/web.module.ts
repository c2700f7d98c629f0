import { Module } from '@nestjs/common';
import { ChatModule } from '@api/chat/chat.module.js';
import { ChatSocketGateway } from './chat-socket.gateway.js';
import { WebChatService } from './web-chat.service.js';
import { WebSessionsController } from './web-sessions.controller.js';
import { WebTokenService } from './web-token.service.js';
import { WebRateLimiter } from './web-rate-limiter.js';
import { WidgetAssetsController } from './widget-assets.controller.js';
import { WidgetOriginGuard, WidgetOrigins } from './widget-origins.js';

@Module({
  imports: [ChatModule],
  controllers: [WebSessionsController, WidgetAssetsController],
  providers: [WebTokenService, WebChatService, ChatSocketGateway, WebRateLimiter, WidgetOrigins, WidgetOriginGuard],
  exports: [WebTokenService, WidgetOrigins],
})
export class WebChannelModule {}
