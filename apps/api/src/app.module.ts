import { Module, type DynamicModule } from '@nestjs/common';
import { AdminModule } from './admin/admin.module.js';
import { ChatModule } from './chat/chat.module.js';
import { MessengerChannelModule } from './channels/messenger/messenger.module.js';
import { OpenAICompatModule } from './channels/openai-compat/openai-compat.module.js';
import { RestChannelModule } from './channels/rest/rest.module.js';
import { SlackChannelModule } from './channels/slack/slack.module.js';
import { WebChannelModule } from './channels/web/web.module.js';
import { WhatsAppChannelModule } from './channels/whatsapp/whatsapp.module.js';
import { Clock } from './common/clock.js';
import { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { CoordinationModule } from './coordination/coordination.module.js';
import { DashboardModule } from './dashboard/dashboard.module.js';
import { HealthModule } from './health/health.module.js';
import { LlmModule } from './llm/llm.module.js';
import { SessionsModule } from './sessions/sessions.module.js';
import { StorageModule } from './storage/storage.module.js';
import { ToolsModule } from './tools/tools.module.js';
import { UsageModule } from './usage/usage.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, clock: Clock): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, clock),
        StorageModule,
        CoordinationModule,
        LlmModule,
        UsageModule,
        ToolsModule,
        SessionsModule,
        ChatModule,
        HealthModule,
        AdminModule,
        WebChannelModule,
        RestChannelModule,
        SlackChannelModule,
        MessengerChannelModule,
        WhatsAppChannelModule,
        OpenAICompatModule,
        // Last: its catch-all route serves the dashboard for any path nothing else claimed.
        DashboardModule,
      ],
    };
  }
}
