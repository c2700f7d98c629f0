import { ApiKeyEntity } from './api-key.entity.js';
import { MessageEntity } from './message.entity.js';
import { OpenAIConversationEntity, OpenAIResponseEntity } from './openai-compat.entity.js';
import { SessionEntity } from './session.entity.js';
import { AuditLogEntity, SettingEntity, StaffSessionEntity, StaffUserEntity } from './staff.entity.js';
import { ApiKeyUsageEntity, UsageDailyEntity, UserUsageEntity } from './usage.entity.js';
import { WebhookEventEntity } from './webhook-event.entity.js';

export { ApiKeyEntity, MessageEntity, SessionEntity, AuditLogEntity, SettingEntity, StaffSessionEntity, StaffUserEntity, UsageDailyEntity, UserUsageEntity, ApiKeyUsageEntity, WebhookEventEntity, OpenAIConversationEntity, OpenAIResponseEntity };
export const ENTITIES = [SessionEntity, MessageEntity, ApiKeyEntity, StaffUserEntity, StaffSessionEntity, AuditLogEntity, SettingEntity, UsageDailyEntity, UserUsageEntity, ApiKeyUsageEntity, WebhookEventEntity, OpenAIConversationEntity, OpenAIResponseEntity];
