import type { StaffDto, StaffRole } from '@threadline/contracts';

/** Who is calling. MASTER_KEY acts as an admin everywhere an API key or a login is accepted. */
export type Principal =
  | { kind: 'master'; role: 'admin'; tenant: 'master'; label: 'master-key' }
  | { kind: 'api-key'; keyId: string; tenant: string; label: string }
  | { kind: 'staff'; staff: StaffDto; role: StaffRole; label: string };

export const MASTER_PRINCIPAL: Principal = { kind: 'master', role: 'admin', tenant: 'master', label: 'master-key' };

export const ROLE_RANK: Record<StaffRole, number> = { viewer: 0, operator: 1, admin: 2 };

export function bearerOf(authorization: string | undefined): string | null {
  return /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1] ?? null;
}
