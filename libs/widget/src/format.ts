import type { Usage } from '@threadline/contracts';

/** Integer micro-dollars as dollars: small amounts keep their digits ($0.000042), larger ones drop trailing zeros ($0.12). */
export function formatCost(micros: number | null | undefined): string {
  if (micros === null || micros === undefined) return 'no price known for this model';
  if (micros === 0) return '$0';
  const fixed = (micros / 1_000_000).toFixed(6).replace(/0+$/, '');
  const [whole, fraction = ''] = fixed.split('.');
  return `$${whole}.${fraction.padEnd(2, '0')}`;
}

export function formatUsage(usage: Usage | null | undefined): string {
  if (!usage) return '';
  const n = (v: number) => v.toLocaleString('en-US');
  return `${n(usage.totalTokens)} tokens (${n(usage.promptTokens)} in, ${n(usage.completionTokens)} out)${usage.estimated ? ', estimated' : ''}`;
}

export function costLine(micros: number | null | undefined, usage: Usage | null | undefined): string {
  const tokens = formatUsage(usage);
  return tokens ? `${formatCost(micros)} · ${tokens}` : formatCost(micros);
}

/** Enough of a session id to recognise it; the full id is in the title tooltip. */
export function shortId(id: string): string {
  return id.length > 8 ? `${id.slice(0, 8)}…` : id;
}
