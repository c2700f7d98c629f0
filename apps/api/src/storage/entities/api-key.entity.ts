import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('text') tenant!: string;
  /** first characters of the key, shown to staff to tell keys apart */
  @Column('text') prefix!: string;
  /** sha256 of the full key: keys are 256 random bits, so a slow hash buys nothing */
  @Column('text', { name: 'secret_hash', unique: true }) secretHash!: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'last_used_at', nullable: true }) lastUsedAt!: Date | null;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
  /** the key's own budgets (null: the BUDGET_KEY_* default); money in micro-dollars */
  @Column('bigint', { name: 'budget_tokens_per_day', nullable: true }) budgetTokensPerDay!: string | null;
  @Column('bigint', { name: 'budget_tokens_per_month', nullable: true }) budgetTokensPerMonth!: string | null;
  @Column('bigint', { name: 'budget_micros_per_day', nullable: true }) budgetMicrosPerDay!: string | null;
  @Column('bigint', { name: 'budget_micros_per_month', nullable: true }) budgetMicrosPerMonth!: string | null;
}
