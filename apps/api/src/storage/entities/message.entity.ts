import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { AppliedPrice, MessageRole, MessageStatus, ToolCall } from '@threadline/contracts';

@Entity('messages')
// Serves both gapless ordering and the newest-first window load (backward index scan).
@Index('messages_session_seq', ['sessionId', 'seq'], { unique: true })
export class MessageEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'session_id' }) sessionId!: string;
  @Column('integer') seq!: number;
  @Column('text') role!: MessageRole;
  @Column('text') content!: string;
  @Column('text', { default: 'complete' }) status!: MessageStatus;
  @Column('text', { nullable: true }) participant!: string | null;
  @Column('jsonb', { name: 'tool_calls', nullable: true }) toolCalls!: ToolCall[] | null;
  @Column('text', { name: 'tool_call_id', nullable: true }) toolCallId!: string | null;
  @Column('text', { nullable: true }) model!: string | null;
  /** local token estimate of this message, so window trimming never re-tokenizes history */
  @Column('integer', { name: 'token_count', default: 0 }) tokenCount!: number;
  @Column('integer', { name: 'prompt_tokens', nullable: true }) promptTokens!: number | null;
  @Column('integer', { name: 'completion_tokens', nullable: true }) completionTokens!: number | null;
  @Column('integer', { name: 'cached_tokens', nullable: true }) cachedTokens!: number | null;
  @Column('boolean', { name: 'usage_estimated', nullable: true }) usageEstimated!: boolean | null;
  @Column('bigint', { name: 'cost_micros', nullable: true }) costMicros!: string | null;
  @Column('text', { name: 'client_message_id', nullable: true }) clientMessageId!: string | null;
  /** the API key the turn was made with (integrator channel) */
  @Column('uuid', { name: 'api_key_id', nullable: true }) apiKeyId!: string | null;
  /** the price-book entry that priced this message, as it stood then */
  @Column('jsonb', { nullable: true }) price!: AppliedPrice | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}
