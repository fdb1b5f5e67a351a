/** What the timing benchmarks report per kind of request: statuses and the spread of response times. */
export interface TimedSample {
  status: number;
  ms: number;
}

export interface TimingSummary {
  n: number;
  mean: number;
  p50: number;
  p95: number;
  sd: number;
  statuses: string;
}

export function summariseTimings(samples: TimedSample[]): TimingSummary {
  const times = samples.map((sample) => sample.ms).sort((a, b) => a - b);
  const n = times.length;
  const mean = times.reduce((sum, value) => sum + value, 0) / n;
  const sd = Math.sqrt(times.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1));
  const percentile = (p: number) => times[Math.min(n - 1, Math.ceil(p * n) - 1)]!;
  const statuses = new Map<number, number>();
  for (const sample of samples) statuses.set(sample.status, (statuses.get(sample.status) ?? 0) + 1);
  return { n, mean, p50: percentile(0.5), p95: percentile(0.95), sd, statuses: [...statuses].map(([status, times]) => `${status}×${times}`).join(' ') };
}

/** Prints the two kinds side by side and the difference of their means with a 95% interval (Welch). */
export function printTimingComparison(labels: [string, string], [a, b]: [TimingSummary, TimingSummary]): void {
  const width = Math.max(...labels.map((label) => label.length), 4);
  const row = (label: string, s: TimingSummary) => [
    label.padEnd(width), s.statuses.padEnd(10), s.mean.toFixed(2).padStart(8), s.p50.toFixed(2).padStart(8), s.p95.toFixed(2).padStart(8), s.sd.toFixed(2).padStart(8),
  ].join('  ');
  console.log(['kind'.padEnd(width), 'statuses'.padEnd(10), 'mean ms'.padStart(8), 'p50 ms'.padStart(8), 'p95 ms'.padStart(8), 'sd ms'.padStart(8)].join('  '));
  console.log(row(labels[0], a));
  console.log(row(labels[1], b));
  const difference = a.mean - b.mean;
  const halfWidth = 1.96 * Math.sqrt(a.sd ** 2 / a.n + b.sd ** 2 / b.n);
  console.log(`difference of means (${labels[0]} − ${labels[1]}): ${difference.toFixed(2)} ms, 95% CI [${(difference - halfWidth).toFixed(2)}, ${(difference + halfWidth).toFixed(2)}] ms`
    + ` (${((difference / ((a.mean + b.mean) / 2)) * 100).toFixed(1)}% of the mean)`);
}
