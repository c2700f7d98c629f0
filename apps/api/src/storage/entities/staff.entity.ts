import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { StaffRole } from '@threadline/contracts';

@Entity('staff_users')
export class StaffUserEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('text', { unique: true }) email!: string;
  @Column('text', { name: 'password_hash' }) passwordHash!: string;
  @Column('text') role!: StaffRole;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}

@Entity('staff_sessions')
export class StaffSessionEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'staff_id' }) staffId!: string;
  @Column('text', { name: 'token_hash', unique: true }) tokenHash!: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt!: Date;
}

@Entity('audit_log')
export class AuditLogEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('timestamptz') at!: Date;
  @Column('text') actor!: string;
  @Column('text') action!: string;
  @Column('text', { nullable: true }) target!: string | null;
  @Column('jsonb', { nullable: true }) details!: Record<string, unknown> | null;
}

@Entity('settings')
export class SettingEntity {
  @PrimaryColumn('text') key!: string;
  @Column('text') value!: string;
}
