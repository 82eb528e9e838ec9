/** Plain-text tables and number formatting for the benchmark report. */

export function formatDb(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return 'n/a';
  if (v === Infinity) return 'inf';
  return v.toFixed(2);
}

export function formatNumber(v: number | undefined, digits = 2): string {
  if (v === undefined || !Number.isFinite(v)) return 'n/a';
  return v.toFixed(digits);
}

export function formatMiB(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return 'n/a';
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === 0 || c === 1 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
