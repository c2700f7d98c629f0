import { z } from 'zod';
import { Channel, IsoDate, SessionStatus } from './common.js';
import { MessageDto } from './messages.js';
import { KeyBudget, KeyBudgetDto } from './usage.js';

export const StaffRole = z.enum(['admin', 'operator', 'viewer']);
export type StaffRole = z.infer<typeof StaffRole>;

export const LoginBody = z.object({ email: z.string().email().max(254), password: z.string().min(1).max(256) }).strict();
export const StaffDto = z.object({ id: z.string(), email: z.string(), role: StaffRole });
export type StaffDto = z.infer<typeof StaffDto>;

export const SessionSummaryDto = z.object({
  id: z.string(),
  channel: Channel,
  key: z.string(),
  status: SessionStatus,
  endUserId: z.string().nullable(),
  tenant: z.string().nullable(),
  participants: z.array(z.string()),
  messageCount: z.number().int(),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  costMicros: z.number().int(),
  /** assistant messages whose model had no price: costMicros leaves them out, it does not price them at 0 */
  unpricedMessages: z.number().int().optional(),
  createdAt: IsoDate,
  lastActivityAt: IsoDate,
  expiresAt: IsoDate,
  endedAt: IsoDate.nullable(),
});
export type SessionSummaryDto = z.infer<typeof SessionSummaryDto>;

const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a day such as 2025-03-31')
  .refine((day) => !Number.isNaN(Date.parse(`${day}T00:00:00Z`)), 'not a calendar day');
/** A UTC day (the whole day) or an exact ISO-8601 instant. */
export const DayOrInstant = z.union([Day, z.iso.datetime({ offset: true })]);

export const SessionListQuery = z.object({
  channel: Channel.optional(),
  status: SessionStatus.optional(),
  endUserId: z.string().max(128).optional(),
  /** sessions with at least one message paid for by this API key */
  apiKeyId: z.uuid().optional(),
  /** last activity at or after this (a day: from its start) */
  from: DayOrInstant.optional(),
  /** last activity at or before this (a day: to its end) */
  to: DayOrInstant.optional(),
  /** substring of the key or of any message; 3+ characters so the trigram index can answer it */
  q: z.string().trim().min(3, 'search for at least 3 characters').max(200).optional(),
  /** opaque cursor from the previous page */
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type SessionListQuery = z.infer<typeof SessionListQuery>;

export const SessionListResponse = z.object({
  sessions: z.array(SessionSummaryDto),
  nextCursor: z.string().nullable(),
});
export type SessionListResponse = z.infer<typeof SessionListResponse>;

export const TranscriptResponse = z.object({
  session: SessionSummaryDto,
  messages: z.array(MessageDto),
});
export type TranscriptResponse = z.infer<typeof TranscriptResponse>;

export const CreateApiKeyBody = z
  .object({
    name: z.string().min(1).max(100),
    /** keys of one tenant share their end users' threads; defaults to a new tenant */
    tenant: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).optional(),
    /** the key's own spending limits; unset fields use the BUDGET_KEY_* defaults */
    budget: KeyBudget.optional(),
  })
  .strict();
/** `PATCH /api/admin/api-keys/:id`: budget fields given replace the key's own (null clears one); others stay. */
export const UpdateApiKeyBody = z
  .object({
    name: z.string().min(1).max(100).optional(),
    budget: KeyBudget.optional(),
  })
  .strict()
  .refine((body) => body.name !== undefined || body.budget !== undefined, 'send a name or a budget to change');
export const ApiKeyDto = z.object({
  id: z.string(),
  name: z.string(),
  tenant: z.string(),
  prefix: z.string(),
  createdAt: IsoDate,
  lastUsedAt: IsoDate.nullable(),
  revokedAt: IsoDate.nullable(),
  /** the key's own limits; null fields fall back to the BUDGET_KEY_* defaults */
  budget: KeyBudgetDto,
});
export type ApiKeyDto = z.infer<typeof ApiKeyDto>;
export const CreateApiKeyResponse = ApiKeyDto.extend({ secret: z.string() });
export type CreateApiKeyResponse = z.infer<typeof CreateApiKeyResponse>;

/** A staff account as admins manage it. */
export const StaffMemberDto = StaffDto.extend({ createdAt: IsoDate });
export type StaffMemberDto = z.infer<typeof StaffMemberDto>;
export const StaffPassword = z.string().min(12, 'use at least 12 characters').max(256);
/** `POST /api/admin/staff`: without a password one is generated and returned once. */
export const CreateStaffBody = z.object({ email: z.string().email().max(254), role: StaffRole, password: StaffPassword.optional() }).strict();
export type CreateStaffBody = z.infer<typeof CreateStaffBody>;
export const CreateStaffResponse = z.object({ staff: StaffMemberDto, password: z.string().nullable() });
export type CreateStaffResponse = z.infer<typeof CreateStaffResponse>;
/** `PATCH /api/admin/staff/:id`: a new role and/or password; a password change signs the account out everywhere. */
export const UpdateStaffBody = z
  .object({ role: StaffRole.optional(), password: StaffPassword.optional() })
  .strict()
  .refine((body) => body.role !== undefined || body.password !== undefined, 'send a role or a password to change');
export type UpdateStaffBody = z.infer<typeof UpdateStaffBody>;

/** `GET /api/admin/audit`: newest first, keyset-paginated. */
export const AuditQuery = z.object({
  /** exact action, e.g. `session.clear` */
  action: z.string().max(64).optional(),
  /** exact actor label, e.g. `staff:ops@example.com` or `master-key` */
  actor: z.string().max(300).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type AuditQuery = z.infer<typeof AuditQuery>;
export const AuditEntryDto = z.object({
  id: z.string(),
  at: IsoDate,
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
});
export type AuditEntryDto = z.infer<typeof AuditEntryDto>;
export const AuditListResponse = z.object({ entries: z.array(AuditEntryDto), nextCursor: z.string().nullable() });
export type AuditListResponse = z.infer<typeof AuditListResponse>;
