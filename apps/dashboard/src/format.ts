const integer = new Intl.NumberFormat('en-US');

export const formatCount = (n: number): string => integer.format(n);

/** Integer micro-dollars → `$0.000123`; integer maths so no float rounding creeps in. */
export function formatCost(micros: number | null): string {
  if (micros === null) return '—';
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  const dollars = Math.floor(abs / 1_000_000);
  const fraction = String(abs % 1_000_000).padStart(6, '0');
  return `${sign}$${dollars}.${fraction}`;
}

/** `2025-01-02 03:04:05 UTC`: staff in different zones read the same clock. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
