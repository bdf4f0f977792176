// A run's spending limit as a ledger: a trial reserves its estimated cost before it starts
// and settles its actual cost when it ends. No trial starts unless what is spent, what is
// reserved and its own estimate fit in the limit; trials already running always finish.
// When the next trial cannot fit, the run stops there and its results say so.
import type { EvalResults } from "../../../schemas/eval-results.schema.ts";

/** A started trial's hold on the budget, handed back to `settle`. */
export interface Reservation {
  readonly id: number;
  readonly usd: number;
}

/**
 * - `ok`: start the trial; settle the reservation when it ends.
 * - `wait`: it does not fit now, but trials in flight hold reservations that their actual
 *   costs may undercut: ask again after one settles. Start nothing else meanwhile (the
 *   next trial in order is the one that must fit; a smaller one behind it does not jump
 *   the queue, so which cases ran does not depend on their prices).
 * - `over`: it does not fit and nothing is in flight: start no more trials. Final; every
 *   later `reserve` answers `over` too.
 */
export type ReserveOutcome = { readonly kind: "ok"; readonly reservation: Reservation } | { readonly kind: "wait" } | { readonly kind: "over" };

export interface BudgetState {
  readonly limitUsd: number;
  /** Actual costs of settled trials. */
  readonly spentUsd: number;
  /** Estimates of trials in flight. */
  readonly reservedUsd: number;
  readonly inFlight: number;
  /** A trial was refused with `over`: the run is partial. */
  readonly stopped: boolean;
}

export interface Budget {
  /** Holds `estimateUsd` for a trial about to start, if it fits (see `ReserveOutcome`). */
  reserve(estimateUsd: number): ReserveOutcome;
  /** Ends a trial: its reservation is released and `actualUsd` spent (0 for a trial that turned out not to be paid for). */
  settle(reservation: Reservation, actualUsd: number): void;
  state(): BudgetState;
}

/** Sums of float dollars drift by far less than this; a trial that fits to the cent is not refused for rounding. */
const SLACK_USD = 1e-9;

/** A ledger for `limitUsd` (`Infinity`: no limit, but the same bookkeeping). */
export function createBudget(limitUsd: number): Budget {
  if (Number.isNaN(limitUsd) || limitUsd < 0) throw new RangeError(`createBudget: the limit must be 0 or more dollars, got ${limitUsd}`);
  const inFlight = new Map<number, number>();
  let spentUsd = 0;
  let stopped = false;
  let lastId = 0;
  const reservedUsd = () => [...inFlight.values()].reduce((sum, usd) => sum + usd, 0);

  return {
    reserve(estimateUsd) {
      checkDollars("reserve", estimateUsd);
      if (stopped) return { kind: "over" };
      if (spentUsd + reservedUsd() + estimateUsd <= limitUsd + SLACK_USD) {
        const reservation = { id: ++lastId, usd: estimateUsd };
        inFlight.set(reservation.id, estimateUsd);
        return { kind: "ok", reservation };
      }
      if (inFlight.size > 0) return { kind: "wait" };
      stopped = true;
      return { kind: "over" };
    },
    settle(reservation, actualUsd) {
      checkDollars("settle", actualUsd);
      if (!inFlight.delete(reservation.id)) throw new Error(`budget: reservation ${reservation.id} is not in flight (settled twice, or from another budget)`);
      spentUsd += actualUsd;
    },
    state: () => ({ limitUsd, spentUsd, reservedUsd: reservedUsd(), inFlight: inFlight.size, stopped }),
  };
}

/** What the results say about how the run ended: complete, or stopped by the budget with counts covering what ran. */
export function completionOf(budget: Budget): Pick<EvalResults, "complete" | "stoppedBy"> {
  return budget.state().stopped ? { complete: false, stoppedBy: "budget" } : { complete: true };
}

function checkDollars(what: string, usd: number): void {
  if (!Number.isFinite(usd) || usd < 0) throw new RangeError(`budget.${what}: a cost is 0 or more dollars, got ${usd}`);
}
