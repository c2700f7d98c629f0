/**
 * Which storage/coordination pairs the integration suites run against: always the
 * embedded default, and real Postgres + Redis when DATABASE_URL and REDIS_URL are set
 * (CI sets both), so one run proves both.
 */
export type Backend = 'embedded' | 'real';

export function backends(): Backend[] {
  return process.env.DATABASE_URL && process.env.REDIS_URL ? ['embedded', 'real'] : ['embedded'];
}
