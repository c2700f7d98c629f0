import { Injectable } from '@nestjs/common';
import type { ApiKeyDto, CreateApiKeyResponse, KeyBudget } from '@threadline/contracts';
import { ApiError } from '@api/common/api-error.js';
import { Clock } from '@api/common/clock.js';
import { BoundedMap } from '@api/common/bounded-map.js';
import { newId, randomToken } from '@api/common/ids.js';
import { AppConfig } from '@api/config/app-config.js';
import { Database } from '@api/storage/database.js';
import { BudgetService } from '@api/usage/budget.service.js';
import { AuthFailureLimiter } from './auth-failure-limiter.js';
import { MASTER_PRINCIPAL, bearerOf, type Principal } from './principal.js';
import { safeEqual, sha256 } from './secrets.js';

interface ApiKeyRow {
  id: string;
  name: string;
  tenant: string;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
  budget_tokens_per_day: string | number | null;
  budget_tokens_per_month: string | number | null;
  budget_micros_per_day: string | number | null;
  budget_micros_per_month: string | number | null;
}

/** KeyBudget field → api_keys column. */
const BUDGET_COLUMNS: Record<keyof KeyBudget, string> = {
  tokensPerDay: 'budget_tokens_per_day',
  tokensPerMonth: 'budget_tokens_per_month',
  costMicrosPerDay: 'budget_micros_per_day',
  costMicrosPerMonth: 'budget_micros_per_month',
};

const CACHE_MS = 10_000;

/** Integrators' keys: stored as sha256 only, the secret shown once at creation. */
@Injectable()
export class ApiKeysService {
  /** Lookups by secret hash, shared while in flight: a burst of requests with one key, as when the entry lapses under load, makes one UPDATE, not one per request queued on the same row. */
  private readonly cache = new BoundedMap<Promise<Principal | null>>(10_000);

  constructor(
    private readonly db: Database,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly budgets: BudgetService,
    private readonly limiter: AuthFailureLimiter,
  ) {}

  async create(name: string, tenant: string | undefined, budget: KeyBudget = {}): Promise<CreateApiKeyResponse> {
    const secret = `tl_${randomToken(32)}`;
    const { rows } = await this.db.query<ApiKeyRow>(
      `INSERT INTO api_keys (id, name, tenant, prefix, secret_hash, created_at, budget_tokens_per_day, budget_tokens_per_month, budget_micros_per_day, budget_micros_per_month)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
      [
        newId(), name, tenant ?? newId(), secret.slice(0, 10), sha256(secret), this.clock.now(),
        budget.tokensPerDay ?? null, budget.tokensPerMonth ?? null, budget.costMicrosPerDay ?? null, budget.costMicrosPerMonth ?? null,
      ],
    );
    return { ...toDto(rows[0]!), secret };
  }

  /** Renames a key or changes its own budget; budget fields given replace (null clears), others stay. */
  async update(id: string, changes: { name?: string; budget?: KeyBudget }): Promise<ApiKeyDto> {
    const sets: string[] = [];
    const params: unknown[] = [id];
    const set = (column: string, value: unknown) => sets.push(`${column} = $${params.push(value)}`);
    if (changes.name !== undefined) set('name', changes.name);
    for (const [field, column] of Object.entries(BUDGET_COLUMNS) as Array<[keyof KeyBudget, string]>) {
      const value = changes.budget?.[field];
      if (value !== undefined) set(column, value);
    }
    const { rows } = sets.length
      ? await this.db.query<ApiKeyRow>(`UPDATE api_keys SET ${sets.join(', ')} WHERE id = $1 RETURNING *`, params)
      : await this.db.query<ApiKeyRow>(`SELECT * FROM api_keys WHERE id = $1`, [id]);
    if (!rows[0]) throw new ApiError('not_found', 'no such API key');
    await this.budgets.forgetKey(id);
    return toDto(rows[0]);
  }

  async list(): Promise<ApiKeyDto[]> {
    const { rows } = await this.db.query<ApiKeyRow>(`SELECT * FROM api_keys ORDER BY created_at DESC LIMIT 500`);
    return rows.map(toDto);
  }

  async revoke(id: string): Promise<ApiKeyDto> {
    const { rows } = await this.db.query<ApiKeyRow>(`UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 RETURNING *`, [id, this.clock.now()]);
    if (!rows[0]) throw new ApiError('not_found', 'no such API key');
    this.cache.clear();
    return toDto(rows[0]);
  }

  /**
   * Bearer API key (or MASTER_KEY) → principal; null when absent or unknown. A wrong key
   * counts against `address` (the client's), which is refused with 429 once it has sent
   * too many (AuthFailureLimiter).
   */
  async authenticate(authorization: string | undefined, address: string | null): Promise<Principal | null> {
    const secret = bearerOf(authorization);
    if (!secret) return null;
    this.limiter.assertAllowed(address);
    const principal = await this.lookup(secret);
    if (!principal) await this.limiter.recordFailure(address);
    return principal;
  }

  private async lookup(secret: string): Promise<Principal | null> {
    const master = this.config.env.MASTER_KEY;
    if (master && safeEqual(secret, master)) return MASTER_PRINCIPAL;
    if (!secret.startsWith('tl_') || secret.length > 100) return null;
    const hash = sha256(secret);
    return this.cache.getOrLoad(hash, CACHE_MS, () => this.fetchPrincipal(hash));
  }

  private async fetchPrincipal(hash: string): Promise<Principal | null> {
    const { rows } = await this.db.query<ApiKeyRow>(
      `UPDATE api_keys SET last_used_at = $2 WHERE secret_hash = $1 AND revoked_at IS NULL RETURNING *`,
      [hash, this.clock.now()],
    );
    const row = rows[0];
    return row ? { kind: 'api-key', keyId: row.id, tenant: row.tenant, label: `api-key:${row.prefix}` } : null;
  }
}

function toDto(row: ApiKeyRow): ApiKeyDto {
  return {
    id: row.id,
    name: row.name,
    tenant: row.tenant,
    prefix: row.prefix,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    budget: {
      tokensPerDay: limitOf(row.budget_tokens_per_day),
      tokensPerMonth: limitOf(row.budget_tokens_per_month),
      costMicrosPerDay: limitOf(row.budget_micros_per_day),
      costMicrosPerMonth: limitOf(row.budget_micros_per_month),
    },
  };
}

function limitOf(value: string | number | null): number | null {
  return value === null ? null : Number(value);
}
