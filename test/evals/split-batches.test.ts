import { describe, expect, it } from "vitest";
import { splitBatches } from "../../app/evals/batch-client.ts";
import type { MessageParams } from "../../app/evals/messages-client.ts";

function call(id: number, text = "hi"): { customId: string; params: MessageParams } {
  return { customId: `r${id}`, params: { model: "claude-sonnet-5-5", max_tokens: 16, messages: [{ role: "user", content: text }] } };
}

function sizeOf(entry: ReturnType<typeof call>): number {
  return new TextEncoder().encode(JSON.stringify({ custom_id: entry.customId, params: entry.params })).length + 1;
}

describe("splitBatches", () => {
  it("keeps calls in one batch when they fit", () => {
    const calls = [1, 2, 3].map((id) => call(id));
    expect(splitBatches(calls, 100_000, 1_000_000)).toEqual([{ calls }]);
  });

  it("splits by count, in order", () => {
    const calls = [1, 2, 3, 4, 5].map((id) => call(id));
    expect(splitBatches(calls, 2, 1_000_000).map((chunk) => ("calls" in chunk ? chunk.calls.map((c) => c.customId) : []))).toEqual([
      ["r1", "r2"],
      ["r3", "r4"],
      ["r5"],
    ]);
  });

  it("splits by bytes so no batch's JSON is over the limit", () => {
    const calls = Array.from({ length: 10 }, (_, id) => call(id, "x".repeat(100)));
    const envelope = '{"requests":[]}'.length;
    const maxBytes = envelope + 3 * sizeOf(calls[0]!);
    const chunks = splitBatches(calls, 100_000, maxBytes);
    expect(chunks.map((chunk) => ("calls" in chunk ? chunk.calls.length : 0))).toEqual([3, 3, 3, 1]);
    for (const chunk of chunks) {
      if ("calls" in chunk) expect(JSON.stringify({ requests: chunk.calls.map((c) => ({ custom_id: c.customId, params: c.params })) }).length).toBeLessThanOrEqual(maxBytes);
    }
  });

  it("sets apart a call too big for any batch", () => {
    const big = call(2, "x".repeat(500));
    const chunks = splitBatches([call(1), big, call(3)], 100_000, 400);
    expect(chunks).toEqual([{ tooBig: big, bytes: sizeOf(big) }, { calls: [call(1), call(3)] }]);
  });
});
