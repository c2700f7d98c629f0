import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A Conversations API conversation (conv_…): a name for one thread of the `openai` channel. */
@Entity('openai_conversations')
export class OpenAIConversationEntity {
  @PrimaryColumn('text') id!: string;
  /** the API key's tenant: no other tenant's key can see or use it */
  @Column('text') tenant!: string;
  @Column('uuid', { name: 'api_key_id', nullable: true }) apiKeyId!: string | null;
  /** the sessions.key of its thread */
  @Column('text', { name: 'session_key' }) sessionKey!: string;
  @Column('jsonb', { default: () => `'{}'` }) metadata!: Record<string, string>;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}

/** A stored Responses API response (resp_…). */
@Entity('openai_responses')
@Index('openai_responses_message', ['assistantMessageId'], { where: 'assistant_message_id IS NOT NULL' })
export class OpenAIResponseEntity {
  @PrimaryColumn('text') id!: string;
  @Column('text') tenant!: string;
  @Column('uuid', { name: 'api_key_id', nullable: true }) apiKeyId!: string | null;
  /** the thread a previous_response_id continues (null: stored, but answered without one) */
  @Column('text', { name: 'session_key', nullable: true }) sessionKey!: string | null;
  @Column('text', { name: 'conversation_id', nullable: true }) conversationId!: string | null;
  /** the answer in messages; deleting it (GDPR delete, retention) deletes this row */
  @Column('uuid', { name: 'assistant_message_id', nullable: true }) assistantMessageId!: string | null;
  /** the msg_… id the response gave its output message */
  @Column('text', { name: 'output_item_id', nullable: true }) outputItemId!: string | null;
  /** the response object as the API returns it */
  @Column('jsonb') body!: Record<string, unknown>;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}
