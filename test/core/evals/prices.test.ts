import { describe, expect, it } from "vitest";
import { costOf, formatUsd, MODEL_PRICES, priceOf } from "../../../app/core/evals/prices.ts";
import { modelCall } from "./eval-fixtures.ts";

const million = { inputTokens: 1_000_000, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 };

describe("costOf", () => {
  it.each([
    // model, usage, USD worked by hand from the rates
    ["claude-sonnet-4-6", { inputTokens: 1_000_000, outputTokens: 1_000_000 }, 3 + 15],
    ["claude-sonnet-4-6", { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 1_000_000 }, 3 * 1.25],
    ["claude-sonnet-4-6", { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 1_000_000 }, 0.3],
    ["claude-opus-5-5", { inputTokens: 2000, outputTokens: 500, cacheReadInputTokens: 10_000 }, (2000 * 4 + 500 * 20 + 10_000 * 0.2) / 1e6],
    ["claude-haiku-4-5-20251001", { inputTokens: 1000, outputTokens: 1000 }, (1000 * 1 + 1000 * 5) / 1e6],
    ["claude-haiku-5-5", { inputTokens: 100_000, outputTokens: 1000 }, (100_000 * 0.1 + 1000 * 0.5) / 1e6],
    // Over 100,000 prompt tokens, every token of the request pays Haiku 5.5's long-prompt rates.
    ["claude-haiku-5-5", { inputTokens: 50_000, outputTokens: 1000, cacheReadInputTokens: 50_001 }, (50_000 * 0.5 + 1000 * 2.5 + 50_001 * 0.05) / 1e6],
    ["claude-fable-5-1", { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 1_000_000 }, 0.25],
  ])("prices %s %j at $%f", (model, usage, usd) => {
    const cost = costOf([modelCall(model, { ...million, ...usage })]);
    expect(cost.usd).toBeCloseTo(usd, 10);
    expect(cost.unknownModels).toEqual([]);
  });

  it("bills 1-hour cache writes at twice the input rate when told", () => {
    const calls = [modelCall("claude-opus-4-6", { ...million, inputTokens: 0, cacheCreationInputTokens: 1_000_000 })];
    expect(costOf(calls).usd).toBeCloseTo(6.25, 10);
    expect(costOf(calls, { cacheWrite: "1h" }).usd).toBeCloseTo(10, 10);
  });

  it("halves batch calls, caching included", () => {
    const usage = { inputTokens: 1000, outputTokens: 1000, cacheCreationInputTokens: 1000, cacheReadInputTokens: 1000 };
    const direct = costOf([modelCall("claude-sonnet-5-5", usage)]).usd;
    expect(costOf([modelCall("claude-sonnet-5-5", usage, { batch: true })]).usd).toBeCloseTo(direct / 2, 12);
  });

  it("adds calls of several models", () => {
    const calls = [modelCall("claude-sonnet-4-5", million), modelCall("claude-haiku-4-5", million)];
    expect(costOf(calls).usd).toBeCloseTo(4, 10);
  });

  it("never prices an unknown model at 0: the dearest of its family, flagged", () => {
    const cost = costOf([modelCall("claude-opus-9", million), modelCall("claude-opus-9", million), modelCall("claude-haiku-9", million)]);
    // Opus at its dearest published $5 input; Haiku at Haiku 4.5's $1.
    expect(cost.usd).toBeCloseTo(5 + 5 + 1, 10);
    expect(cost.unknownModels).toEqual(["claude-haiku-9", "claude-opus-9"]);
  });

  it("prices a model of no known family at the dearest rate in the table", () => {
    const dearestInput = Math.max(...Object.values(MODEL_PRICES).map((price) => price.input));
    expect(priceOf("gpt-something")).toMatchObject({ known: false, price: { input: dearestInput } });
    expect(costOf([modelCall("gpt-something", million)]).usd).toBeGreaterThan(0);
  });
});

describe("MODEL_PRICES", () => {
  it("prices every Claude model id of the installed Anthropic SDK's Model type", async () => {
    const { readFile } = await import("node:fs/promises");
    const typings = await readFile(new URL("../../../node_modules/@anthropic-ai/sdk/resources/messages/messages.d.ts", import.meta.url), "utf8");
    const line = /export type Model = ([^;]+);/.exec(typings)![1]!;
    const ids = [...line.matchAll(/'([^']+)'/g)].map((match) => match[1]!);
    expect(ids.length).toBeGreaterThan(10);
    for (const id of ids) expect(priceOf(id).known, id).toBe(true);
  });

  it("keeps cache writes out of the table: they follow from the input rate", () => {
    for (const price of Object.values(MODEL_PRICES)) expect(price.cacheRead).toBeLessThanOrEqual(price.input / 10 + 1e-12);
  });
});

describe("formatUsd", () => {
  it.each([
    [0, "$0"],
    [0.00004, "<$0.0001"],
    [0.0123, "$0.0123"],
    [0.045, "$0.045"],
    [0.5, "$0.50"],
    [1.234, "$1.23"],
    [12, "$12.00"],
  ])("shows %f as %s", (value, text) => {
    expect(formatUsd(value)).toBe(text);
  });
});
