import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Usage aggregates, written by raw SQL in the message append (usage/usage-aggregates.sql.ts);
 * these entities document the tables. Counters cover assistant messages only.
 */
abstract class UsageCounters {
  @Column('integer', { default: 0 }) messages!: number;
  @Column('bigint', { name: 'prompt_tokens', default: 0 }) promptTokens!: string;
  @Column('bigint', { name: 'completion_tokens', default: 0 }) completionTokens!: string;
  @Column('bigint', { name: 'cached_tokens', default: 0 }) cachedTokens!: string;
  /** integer micro-dollars, priced messages only */
  @Column('bigint', { name: 'cost_micros', default: 0 }) costMicros!: string;
  /** messages whose model had no price: unknown cost, not zero */
  @Column('integer', { name: 'unpriced_messages', default: 0 }) unpricedMessages!: number;
  @Column('integer', { name: 'estimated_messages', default: 0 }) estimatedMessages!: number;
}

@Entity('usage_daily')
export class UsageDailyEntity extends UsageCounters {
  @PrimaryColumn('date') day!: string;
  @PrimaryColumn('text') channel!: string;
  @PrimaryColumn('text') model!: string;
}

/** Seed 002's user_usage, per UTC day. */
@Entity('user_usage')
export class UserUsageEntity extends UsageCounters {
  @PrimaryColumn('text') tenant!: string;
  @PrimaryColumn('text', { name: 'end_user_id' }) endUserId!: string;
  @PrimaryColumn('date') day!: string;
}

@Entity('api_key_usage')
export class ApiKeyUsageEntity extends UsageCounters {
  @PrimaryColumn('uuid', { name: 'api_key_id' }) apiKeyId!: string;
  @PrimaryColumn('date') day!: string;
}
