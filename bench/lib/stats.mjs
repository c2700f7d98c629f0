// Percentiles over raw float samples (autocannon's own histogram keeps whole milliseconds,
// too coarse for a sub-millisecond overhead target).

export function summarize(samples) {
  if (samples.length === 0) return { n: 0, p50: null, p90: null, p99: null, max: null, mean: null };
  const sorted = Float64Array.from(samples).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return { n: sorted.length, p50: round(at(0.5)), p90: round(at(0.9)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1]), mean: round(mean) };
}

export const round = (x, digits = 3) => (x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x * 10 ** digits) / 10 ** digits);

/** a − b for two numbers that may be missing */
export const minus = (a, b) => (a === null || a === undefined || b === null || b === undefined ? null : round(a - b));

export function fmtMs(x) {
  if (x === null || x === undefined) return '–';
  return Math.abs(x) < 10 ? `${x.toFixed(2)} ms` : `${x.toFixed(1)} ms`;
}

export function fmtNum(x, digits = 0) {
  if (x === null || x === undefined) return '–';
  return x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function fmtBytes(x) {
  if (x === null || x === undefined) return '–';
  if (Math.abs(x) >= 2 ** 20) return `${(x / 2 ** 20).toFixed(1)} MB`;
  return Math.abs(x) >= 1024 ? `${(x / 1024).toFixed(1)} KB` : `${Math.round(x)} B`;
}

/** A plain text table with a header row, columns padded to fit. */
export function table(header, rows) {
  const all = [header, ...rows].map((r) => r.map((c) => String(c ?? '–')));
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(all[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}

/** The same rows as a Markdown table (for bench/README.md). */
export function markdownTable(header, rows) {
  const esc = (c) => String(c ?? '–').replaceAll('|', '\\|');
  return [`| ${header.map(esc).join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}
