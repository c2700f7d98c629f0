import type { AppliedPrice, Usage } from '@threadline/contracts';

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

/** USD per million tokens, as the price book writes them: `$0.40`, `$0.025`. */
function perMillion(usd: number): string {
  const decimals = (String(usd).split('.')[1] ?? '').length;
  return `$${usd.toFixed(Math.min(6, Math.max(2, decimals)))}`;
}

/** The price that applied to a message, per million tokens. */
export function formatPrice(price: AppliedPrice): string {
  return `${perMillion(price.input)} in / ${perMillion(price.cachedInput)} cached / ${perMillion(price.output)} out per 1M tokens`;
}

export function formatUsage(usage: Usage | null): string {
  if (!usage) return '—';
  const figures = `${formatCount(usage.promptTokens)} in / ${formatCount(usage.completionTokens)} out`;
  // Locally counted figures can differ from what the upstream bills.
  return usage.estimated ? `${figures} (est.)` : figures;
}

/** `YYYY-MM-DD` of a date in UTC, the unit of every date filter. */
export const utcDay = (date: Date): string => date.toISOString().slice(0, 10);
