// Reducers over graded trials: per-case pass rate, pass@k and pass^k, run-wide counts,
// latency percentiles and token totals.
import type { EvalResults } from "../../../schemas/eval-results.schema.ts";
import type { ModelCall } from "../../../schemas/transcript.schema.ts";

/**
 * pass@k: the chance that at least one of k trials drawn from the n run passes, given c
 * passed — the unbiased estimator of Chen et al. (2021, the Codex / HumanEval paper),
 * 1 − C(n−c, k) / C(n, k), computed as a product so large n does not overflow.
 * With k = n it is 1 when any trial passed, else 0. No trials: 0.
 */
export function passAtK(n: number, c: number, k: number): number {
  checkCounts(n, c, k);
  if (n === 0) return 0;
  if (n - c < k) return 1;
  let allFail = 1;
  for (let i = n - c + 1; i <= n; i++) allFail *= 1 - k / i;
  return 1 - allFail;
}

/**
 * pass^k: the chance that all of k trials drawn from the n run pass, given c passed:
 * C(c, k) / C(n, k), the same draw without replacement. With k = n it is 1 when every
 * trial passed, else 0. No trials: 0.
 */
export function passPowK(n: number, c: number, k: number): number {
  checkCounts(n, c, k);
  if (n === 0 || c < k) return 0;
  let allPass = 1;
  for (let i = 0; i < k; i++) allPass *= (c - i) / (n - i);
  return allPass;
}

function checkCounts(n: number, c: number, k: number): void {
  if (!Number.isInteger(n) || !Number.isInteger(c) || !Number.isInteger(k) || n < 0 || c < 0 || c > n || k < 1 || (n > 0 && k > n)) {
    throw new RangeError(`pass@k needs whole numbers with 0 ≤ c ≤ n and 1 ≤ k ≤ n; got n=${n}, c=${c}, k=${k}`);
  }
}

/** A case's trials reduced: errored trials count as failed. k = the trials run. */
export function reduceCase(statuses: readonly ("passed" | "failed" | "errored")[]): { passRate: number; passAtK: number; passPowK: number } {
  const n = statuses.length;
  const c = statuses.filter((status) => status === "passed").length;
  if (n === 0) return { passRate: 0, passAtK: 0, passPowK: 0 };
  return { passRate: c / n, passAtK: passAtK(n, c, n), passPowK: passPowK(n, c, n) };
}

/** Counts over every case-trial run; `passRate` is passed over all of them (errored count as failed). */
export function summarize(cases: readonly { readonly trials: readonly { readonly status: "passed" | "failed" | "errored" }[] }[]): EvalResults["summary"] {
  const statuses = cases.flatMap((c) => c.trials.map((trial) => trial.status));
  const count = (status: string) => statuses.filter((s) => s === status).length;
  const passed = count("passed");
  return {
    cases: cases.length,
    trials: statuses.length,
    passed,
    failed: count("failed"),
    errored: count("errored"),
    passRate: statuses.length === 0 ? 0 : passed / statuses.length,
  };
}

/**
 * The q-th percentile (0..100) by nearest rank: the smallest value with at least q% of the
 * values at or below it, so it is always a latency that was actually seen. Empty: 0.
 */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((q / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/** Trial wall times: their sum (time spent, not elapsed: trials run side by side), median and 95th percentile. */
export function latencySummary(latencies: readonly number[]): EvalResults["latencyMs"] {
  return { total: latencies.reduce((sum, value) => sum + value, 0), p50: percentile(latencies, 50), p95: percentile(latencies, 95) };
}

/** Token totals over model calls; `requests` counts the calls. */
export function usageTotals(calls: readonly ModelCall[]): EvalResults["usage"] {
  const totals = { requests: calls.length, inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 };
  for (const { usage } of calls) {
    totals.inputTokens += usage.inputTokens;
    totals.outputTokens += usage.outputTokens;
    totals.cacheCreationInputTokens += usage.cacheCreationInputTokens;
    totals.cacheReadInputTokens += usage.cacheReadInputTokens;
  }
  return totals;
}
