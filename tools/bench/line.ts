/** One benchmark result; `baseline` is always measured in the same run as `value`. */
export interface BenchLine {
  readonly bench: string;
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline: number | null;
}

export type BenchSuite = (emit: (line: BenchLine) => void) => Promise<void>;

export function formatLine(line: BenchLine): string {
  const ratio = line.baseline && line.baseline !== 0 ? round(line.value / line.baseline) : null;
  return JSON.stringify({
    bench: line.bench,
    metric: line.metric,
    value: round(line.value),
    unit: line.unit,
    baseline: line.baseline === null ? null : round(line.baseline),
    ratio,
  });
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error("percentile of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
