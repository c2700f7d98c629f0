import { InitialSchema1763700000000 } from './1763700000000-initial-schema.js';
import { UsageAggregates1763900000000 } from './1763900000000-usage-aggregates.js';
import { WebhookEvents1764000000000 } from './1764000000000-webhook-events.js';

/** Listed explicitly (not globbed) so the bundled build and jest load the same set. */
export const MIGRATIONS = [InitialSchema1763700000000, UsageAggregates1763900000000, WebhookEvents1764000000000];
