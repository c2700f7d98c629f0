import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One delivery a webhook has answered; the primary key is what dedupes retries. */
@Entity('webhook_events')
@Index('webhook_events_created', ['createdAt'])
export class WebhookEventEntity {
  /** slack, slack-message, messenger, whatsapp */
  @PrimaryColumn('text') provider!: string;
  /** the provider's event / message id */
  @PrimaryColumn('text', { name: 'event_id' }) eventId!: string;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
}
