import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { Channel, SessionStatus } from '@threadline/contracts';

@Entity('sessions')
@Index('sessions_active_key', ['channel', 'key'], { unique: true, where: `status = 'active'` })
export class SessionEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') channel!: Channel;
  @Column('text') key!: string;
  @Column('text') status!: SessionStatus;
  @Column('text', { nullable: true }) tenant!: string | null;
  @Column('text', { name: 'end_user_id', nullable: true }) endUserId!: string | null;
  @Column('text', { array: true, default: () => `'{}'` }) participants!: string[];
  /** also the last `seq` handed out in this session */
  @Column('integer', { name: 'message_count', default: 0 }) messageCount!: number;
  @Column('bigint', { name: 'prompt_tokens', default: 0 }) promptTokens!: string;
  @Column('bigint', { name: 'completion_tokens', default: 0 }) completionTokens!: string;
  @Column('bigint', { name: 'cached_tokens', default: 0 }) cachedTokens!: string;
  @Column('bigint', { name: 'cost_micros', default: 0 }) costMicros!: string;
  /** assistant messages with no price: cost_micros leaves them out rather than pricing them at 0 */
  @Column('integer', { name: 'unpriced_messages', default: 0 }) unpricedMessages!: number;
  @Column('text', { nullable: true }) summary!: string | null;
  @Column('integer', { name: 'summary_through_seq', default: 0 }) summaryThroughSeq!: number;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'last_activity_at' }) lastActivityAt!: Date;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt!: Date;
  @Column('timestamptz', { name: 'max_expires_at' }) maxExpiresAt!: Date;
  @Column('timestamptz', { name: 'ended_at', nullable: true }) endedAt!: Date | null;
  @Column('text', { name: 'ended_by', nullable: true }) endedBy!: string | null;
}
