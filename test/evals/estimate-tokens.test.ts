import { describe, expect, it } from "vitest";
import { countRunTokens, estimateTokensLocally, type TokensToCount } from "../../app/evals/estimate-tokens.ts";
import type { CountTokensParams, MessagesClient } from "../../app/evals/messages-client.ts";

/** A client whose token counter is `count`; it records what it was asked, and has no `create`. */
function counter(count: (params: CountTokensParams) => Promise<number>): MessagesClient & { asked: CountTokensParams[] } {
  const asked: CountTokensParams[] = [];
  return {
    asked,
    create: () => Promise.reject(new Error("not used")),
    countTokens: (params) => {
      asked.push(params);
      return count(params);
    },
  };
}

const what: TokensToCount = {
  model: "claude-sonnet-4-6",
  prefix: { system: "You help customers.", tools: [{ name: "crm__get_account", description: "Reads an account.", input_schema: { type: "object" } }] },
  cases: [
    { id: "short", input: "Hi" },
    { id: "turns", input: [{ role: "user", content: "Refund?" }, { role: "assistant", content: "Which order?" }, { role: "user", content: "Order 42." }] },
    { id: "long", input: "x".repeat(4001) },
  ],
};

/** A counter that answers the number of characters sent, so each answer says which request it was. */
const byLength = (params: CountTokensParams) => Promise.resolve(JSON.stringify(params).length);

describe("countRunTokens", () => {
  it("counts the prefix once with the model, system and tools, and each case's input messages, through the endpoint", async () => {
    const client = counter(byLength);
    const counts = await countRunTokens(client, what);
    expect(client.asked).toHaveLength(4);
    expect(client.asked[0]).toEqual({ model: "claude-sonnet-4-6", system: what.prefix.system, tools: what.prefix.tools, messages: [{ role: "user", content: "." }] });
    expect(client.asked.slice(1).map((params) => Object.keys(params).sort())).toEqual([["messages", "model"], ["messages", "model"], ["messages", "model"]]);
    expect(counts.prefix).toEqual({ tokens: JSON.stringify(client.asked[0]).length, local: false });
    expect([...counts.cases.keys()]).toEqual(["short", "turns", "long"]);
    const turns = client.asked.find((params) => params.messages.length === 3)!;
    expect(counts.cases.get("turns")).toEqual({ tokens: JSON.stringify(turns).length, local: false });
    expect(counts.localBecause).toBeUndefined();
  });

  it("keeps the cases' order however the counts come back", async () => {
    const pending: (() => void)[] = [];
    // The prefix answers at once; the cases wait until all three are asked, then answer last first.
    const client = counter((params) => {
      if (params.system !== undefined) return Promise.resolve(0);
      return new Promise((resolve) => {
        pending.push(() => resolve(params.messages.length));
        if (pending.length === 3) for (const answer of pending.reverse()) answer();
      });
    });
    const counts = await countRunTokens(client, what, { concurrency: 3 });
    expect([...counts.cases.entries()].map(([id, count]) => [id, count.tokens])).toEqual([["short", 1], ["turns", 3], ["long", 1]]);
  });

  it("estimates locally at four characters a token, and says why, when there is no client (offline)", async () => {
    const counts = await countRunTokens(null, what);
    expect(counts.localBecause).toBe("token counting is off (offline)");
    expect(counts.prefix).toEqual({ tokens: Math.ceil(JSON.stringify({ system: what.prefix.system, tools: what.prefix.tools }).length / 4), local: true });
    expect(counts.cases.get("long")).toEqual({ tokens: Math.ceil(JSON.stringify(["x".repeat(4001)]).length / 4), local: true });
    expect(counts.cases.get("short")?.local).toBe(true);
  });

  it("falls back to the local estimate after the first failed count and stops asking", async () => {
    let calls = 0;
    const client = counter((params) => (++calls === 2 ? Promise.reject(new Error("429 rate_limit_error")) : byLength(params)));
    const counts = await countRunTokens(client, what, { concurrency: 1 });
    expect(client.asked).toHaveLength(2);
    expect(counts.prefix.local).toBe(false);
    expect([...counts.cases.values()].map((count) => count.local)).toEqual([true, true, true]);
    expect(counts.localBecause).toBe("token counting failed (429 rate_limit_error)");
  });

  it("gives up when the run is aborted rather than estimating", async () => {
    const controller = new AbortController();
    const client = counter(() => {
      controller.abort(new Error("stopped"));
      return Promise.reject(new Error("aborted"));
    });
    await expect(countRunTokens(client, what, { signal: controller.signal })).rejects.toThrow("stopped");
  });
});

describe("estimateTokensLocally", () => {
  it.each([["", 0], ["abcd", 1], ["abcde", 2], ["x".repeat(400), 100]])("counts %j as %i tokens", (text, tokens) => {
    expect(estimateTokensLocally(text)).toBe(tokens);
  });
});
