import { InitialSchema1763700000000 } from './1763700000000-initial-schema.js';
import { UsageAggregates1763900000000 } from './1763900000000-usage-aggregates.js';
import { WebhookEvents1764000000000 } from './1764000000000-webhook-events.js';
import { AdminListIndexes1764100000000 } from './1764100000000-admin-list-indexes.js';
import { OpenAICompat1764200000000 } from './1764200000000-openai-compat.js';
import { TurnFence1764300000000 } from './1764300000000-turn-fence.js';
import { SessionHotUpdates1764400000000 } from './1764400000000-session-hot-updates.js';
import { MessagesWithoutSessionFk1764500000000 } from './1764500000000-messages-without-session-fk.js';
import { SearchIndexPendingList1764600000000 } from './1764600000000-search-index-pending-list.js';

/** Listed explicitly (not globbed) so the bundled build and jest load the same set. */
export const MIGRATIONS = [InitialSchema1763700000000, UsageAggregates1763900000000, WebhookEvents1764000000000, AdminListIndexes1764100000000, OpenAICompat1764200000000, TurnFence1764300000000, SessionHotUpdates1764400000000, MessagesWithoutSessionFk1764500000000, SearchIndexPendingList1764600000000];
