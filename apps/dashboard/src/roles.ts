import type { StaffRole } from '@threadline/contracts';
import type { SessionAction } from './api';

const RANK: Record<StaffRole, number> = { viewer: 0, operator: 1, admin: 2 };

export const atLeast = (role: StaffRole, needed: StaffRole): boolean => RANK[role] >= RANK[needed];

/** Mirrors the server's @MinRole on each route; the server still decides. */
export const ACTION_ROLE: Record<SessionAction, StaffRole> = { clear: 'operator', expire: 'operator', delete: 'admin' };
