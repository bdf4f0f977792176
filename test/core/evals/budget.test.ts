import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { completionOf, createBudget, type Reservation } from "../../../app/core/evals/budget.ts";
import { evalResultsSchema } from "../../../schemas/eval-results.schema.ts";

describe("the budget ledger", () => {
  it("reserves what fits, waits while trials in flight may free room, and stops once nothing is in flight and the next does not fit", () => {
    const budget = createBudget(1);
    const first = budget.reserve(0.4);
    const second = budget.reserve(0.4);
    expect([first.kind, second.kind]).toEqual(["ok", "ok"]);
    expect(budget.reserve(0.4)).toEqual({ kind: "wait" });
    budget.settle((first as { reservation: Reservation }).reservation, 0.1);
    expect(budget.reserve(0.4).kind).toBe("ok");
    expect(budget.state()).toEqual({ limitUsd: 1, spentUsd: 0.1, reservedUsd: 0.8, inFlight: 2, stopped: false });
    expect(completionOf(budget)).toEqual({ complete: true });
  });

  it("stays stopped: a smaller trial after the refusal does not start", () => {
    const budget = createBudget(1);
    const only = budget.reserve(0.9);
    if (only.kind !== "ok") throw new Error("expected a reservation");
    budget.settle(only.reservation, 0.9);
    expect(budget.reserve(0.2)).toEqual({ kind: "over" });
    expect(budget.reserve(0.01)).toEqual({ kind: "over" });
    expect(budget.state().stopped).toBe(true);
    expect(completionOf(budget)).toEqual({ complete: false, stoppedBy: "budget" });
  });

  it("marks results partial in the shape the results schema takes", () => {
    const budget = createBudget(0);
    expect(budget.reserve(0.01).kind).toBe("over");
    expect(evalResultsSchema.pick({ complete: true, stoppedBy: true }).parse(completionOf(budget))).toEqual({ complete: false, stoppedBy: "budget" });
  });

  it("lets a trial that fits to the cent start, whatever float sums make of it", () => {
    const budget = createBudget(0.3);
    for (const usd of [0.1, 0.1, 0.1]) expect(budget.reserve(usd).kind).toBe("ok");
  });

  it("has no limit at Infinity", () => {
    const budget = createBudget(Number.POSITIVE_INFINITY);
    for (let index = 0; index < 100; index++) expect(budget.reserve(1e6).kind).toBe("ok");
  });

  it("refuses settling a reservation twice", () => {
    const budget = createBudget(1);
    const held = budget.reserve(0.1);
    if (held.kind !== "ok") throw new Error("expected a reservation");
    budget.settle(held.reservation, 0.1);
    expect(() => budget.settle(held.reservation, 0.1)).toThrow("reservation 1 is not in flight");
  });

  it.each([
    () => createBudget(-1),
    () => createBudget(Number.NaN),
    () => createBudget(1).reserve(-0.1),
    () => createBudget(1).reserve(Number.NaN),
  ])("refuses negative and NaN dollars (%#)", (call) => {
    expect(call).toThrow(RangeError);
  });
});

/** What a simulated run did. */
interface Simulated {
  readonly spent: number;
  readonly started: number;
  readonly stopped: boolean;
  /** Σ (actual − estimate) over the trials in flight right after the last reservation: the most the run may overshoot by. */
  readonly overshootAllowance: number;
}

/**
 * Runs `trials` through a budget the way an orchestrator would: up to `concurrency` at
 * once, in order; a trial's actual cost and duration are only known when it ends.
 */
function simulate(limit: number, concurrency: number, trials: readonly { estimate: number; actual: number; duration: number }[]): Simulated {
  const budget = createBudget(limit);
  const running: { end: number; reservation: Reservation; index: number }[] = [];
  let now = 0;
  let next = 0;
  let overshootAllowance = 0;
  for (;;) {
    while (running.length < concurrency && next < trials.length) {
      const outcome = budget.reserve(trials[next]!.estimate);
      if (outcome.kind !== "ok") break;
      running.push({ end: now + trials[next]!.duration, reservation: outcome.reservation, index: next });
      next++;
      overshootAllowance = running.reduce((sum, trial) => sum + trials[trial.index]!.actual - trials[trial.index]!.estimate, 0);
    }
    if (running.length === 0) break;
    running.sort((a, b) => a.end - b.end || a.index - b.index);
    const done = running.shift()!;
    now = done.end;
    budget.settle(done.reservation, trials[done.index]!.actual);
    expect(budget.state().inFlight).toBe(running.length);
  }
  const state = budget.state();
  expect(state.inFlight).toBe(0);
  expect(state.reservedUsd).toBe(0);
  // Work left undone means the budget stopped the run, and only then.
  expect(state.stopped).toBe(next < trials.length);
  return { spent: state.spentUsd, started: next, stopped: state.stopped, overshootAllowance };
}

/** Dollars drawn evenly in cents (fast-check's doubles crowd near zero). */
const dollars = (min: number, max: number) => fc.integer({ min: Math.round(min * 100), max: Math.round(max * 100) }).map((cents) => cents / 100);

const trialArbitrary = (actualFactor: { min: number; max: number }) =>
  fc
    .record({
      estimate: dollars(0.01, 0.5),
      factor: fc.integer({ min: actualFactor.min * 100, max: actualFactor.max * 100 }),
      duration: fc.integer({ min: 1, max: 100 }),
    })
    .map(({ estimate, factor, duration }) => ({ estimate, actual: (estimate * factor) / 100, duration }));

const scenario = (actualFactor: { min: number; max: number }) =>
  fc.record({
    limit: dollars(0, 5),
    concurrency: fc.integer({ min: 1, max: 8 }),
    trials: fc.array(trialArbitrary(actualFactor), { minLength: 0, maxLength: 60, size: "max" }),
  });

describe("a seeded simulation of runs against the budget", () => {
  it("never spends past the limit when trials cost at most their estimates", () => {
    fc.assert(
      fc.property(scenario({ min: 0, max: 1 }), ({ limit, concurrency, trials }) => {
        expect(simulate(limit, concurrency, trials).spent).toBeLessThanOrEqual(limit + 1e-9);
      }),
      { seed: 20261124, numRuns: 400 },
    );
  });

  it("overshoots the limit by no more than the in-flight trials' costs beyond their reservations", () => {
    fc.assert(
      fc.property(scenario({ min: 0.2, max: 2 }), ({ limit, concurrency, trials }) => {
        const run = simulate(limit, concurrency, trials);
        expect(run.spent).toBeLessThanOrEqual(limit + Math.max(0, run.overshootAllowance) + 1e-9);
      }),
      { seed: 7, numRuns: 400 },
    );
  });

  it.each([
    ["cost less than their estimates", { min: 0.2, max: 1 }],
    ["cost more or less than their estimates", { min: 0.2, max: 2 }],
  ])("spends at least the limit less the dearest trial when there is more work than money and trials %s", (_what, factor) => {
    let stoppedRuns = 0;
    fc.assert(
      fc.property(scenario(factor), ({ limit, concurrency, trials }) => {
        const run = simulate(limit, concurrency, trials);
        if (!run.stopped) {
          expect(run.started).toBe(trials.length);
          return;
        }
        stoppedRuns++;
        const dearest = Math.max(...trials.map((trial) => trial.estimate));
        expect(run.spent).toBeGreaterThanOrEqual(limit - dearest - 1e-9);
      }),
      { seed: 11, numRuns: 400 },
    );
    // The property says something only if the budget did stop runs.
    expect(stoppedRuns).toBeGreaterThan(100);
  });
});
