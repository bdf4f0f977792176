import Anthropic from "@anthropic-ai/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { BatchRequestError, createBatchClient, type BatchClientOptions, type BatchClock } from "../../app/evals/batch-client.ts";
import type { MessageParams } from "../../app/evals/messages-client.ts";
import { createManualClock, startFakeAnthropic, textOf, type FakeAnthropic, type ManualClock, type Responder } from "../helpers/fake-anthropic.ts";

const model = "claude-sonnet-5-5";
const minute = 60_000;

/**
 * The batch client's clock on the fake's manual clock: sleepers wake in order of their end
 * time, the clock jumping to it, one at a time with a short real pause between so the HTTP
 * each wake-up starts can finish first.
 */
function virtualTime(clock: ManualClock): BatchClock {
  const sleepers: { at: number; wake: () => void }[] = [];
  let scheduled = false;
  const tick = () => {
    scheduled = false;
    sleepers.sort((a, b) => a.at - b.at);
    const next = sleepers.shift();
    if (next === undefined) return;
    if (clock.now() < next.at) clock.set(next.at);
    next.wake();
    if (sleepers.length > 0) schedule();
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setTimeout(tick, 20);
  };
  return {
    now: () => clock.now(),
    sleep: (ms) =>
      new Promise<void>((wake) => {
        sleepers.push({ at: clock.now() + ms, wake });
        schedule();
      }),
  };
}

function ask(id: number | string): MessageParams {
  return { model, max_tokens: 64, messages: [{ role: "user", content: `call ${id}` }] };
}

const fakes: FakeAnthropic[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function setup(responder: Responder, options: Omit<BatchClientOptions, "clock"> = {}, batchProcessingMs = 30 * minute) {
  const clock = createManualClock();
  const fake = await startFakeAnthropic({ clock, responder, batchProcessingMs });
  fakes.push(fake);
  const sdk = new Anthropic({ apiKey: fake.apiKey, baseURL: fake.url, maxRetries: 0 });
  const client = createBatchClient(sdk, { ...options, clock: virtualTime(clock) });
  const batchesCreated = () => fake.requests.filter((request) => request.method === "POST" && request.path === "/v1/messages/batches");
  return { clock, fake, client, batchesCreated };
}

/** Answers `answer to <last user text>`, counting each text. */
function countingResponder(answers: Map<string, number>): Responder {
  return (request) => {
    const id = textOf(request.messages.at(-1)!.content);
    answers.set(id, (answers.get(id) ?? 0) + 1);
    return { text: `answer to ${id}` };
  };
}

describe("createBatchClient against the fake Message Batches API", () => {
  it("gathers 30 concurrent calls into one batch and answers each with its own message", async () => {
    const answers = new Map<string, number>();
    const { clock, fake, client, batchesCreated } = await setup(countingResponder(answers));
    const called = clock.now();
    const results = await Promise.all(Array.from({ length: 30 }, (_, id) => client.create(ask(id))));

    expect(results.map((result) => [result.batch, result.message.content])).toEqual(
      Array.from({ length: 30 }, (_, id) => [true, [{ type: "text", text: `answer to call ${id}`, citations: null }]]),
    );
    expect(results.map((result) => result.message.usage.service_tier)).toEqual(Array(30).fill("batch"));
    expect(answers.size).toBe(30);
    expect([...answers.values()].every((count) => count === 1)).toBe(true);
    const [created] = batchesCreated();
    expect(batchesCreated()).toHaveLength(1);
    expect((created!.body as { requests: unknown[] }).requests).toHaveLength(30);
    expect(created!.at - called).toBe(2000);
    // Polls: 5 s after submitting, each 1.5× later, never more than a minute apart, until the batch ended at 30 min.
    const retrieves = fake.requests.filter((request) => request.method === "GET" && /^\/v1\/messages\/batches\/[^/]+$/.test(request.path));
    // The last retrieve is the SDK's own, reading results_url for `results`.
    const polls = retrieves.slice(0, -1).map((request) => request.at - created!.at);
    const gaps = polls.map((at, i) => at - (polls[i - 1] ?? 0));
    expect(gaps.slice(0, 4)).toEqual([5000, 7500, 11250, 16875]);
    expect(Math.max(...gaps)).toBe(minute);
    expect(gaps.every((gap, i) => i === 0 || gap >= gaps[i - 1]!)).toBe(true);
    expect(polls.at(-2)!).toBeLessThan(30 * minute);
    expect(polls.at(-1)!).toBeGreaterThanOrEqual(30 * minute);
    expect(client.stats()).toEqual({ calls: 30, batches: 1, requestsSubmitted: 30, resubmitted: 0, polls: polls.length });
    expect(results.every((result) => result.latencyMs >= 30 * minute)).toBe(true);
  });

  it("runs tool loops turn by turn, each turn joining the next batch", async () => {
    const responder: Responder = (request, context) =>
      context.turn === 0 ? { content: [{ type: "tool_use", name: "lookup", input: { q: textOf(request.messages[0]!.content) } }] } : { text: `done with ${textOf(request.messages[0]!.content)}` };
    const { client, batchesCreated } = await setup(responder, { pollIntervalMs: 1000 }, minute);
    const tools = [{ name: "lookup", description: "Looks up", input_schema: { type: "object" as const, properties: { q: { type: "string" } } } }];
    const conversation = async (id: number) => {
      const first = await client.create({ ...ask(id), tools });
      const use = first.message.content.find((block) => block.type === "tool_use")!;
      const second = await client.create({
        ...ask(id),
        tools,
        messages: [
          ...ask(id).messages,
          { role: "assistant", content: first.message.content },
          { role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: "found" }] },
        ],
      });
      return textOf([second.message.content[0]!] as never);
    };
    const finals = await Promise.all([1, 2, 3, 4, 5].map(conversation));
    expect(finals).toEqual([1, 2, 3, 4, 5].map((id) => `done with call ${id}`));
    expect(batchesCreated().map((request) => (request.body as { requests: unknown[] }).requests.length)).toEqual([5, 5]);
  });

  it("submits again a request that errored for overload, and fails one the API found invalid", async () => {
    const seen = new Map<string, number>();
    const responder: Responder = (request) => {
      const id = textOf(request.messages.at(-1)!.content);
      seen.set(id, (seen.get(id) ?? 0) + 1);
      if (id === "call 3") return { error: { status: 400, type: "invalid_request_error", message: "messages.0: bad" } };
      if ((id === "call 1" || id === "call 2") && seen.get(id) === 1) return { error: { status: 529, type: "overloaded_error", message: "Overloaded" } };
      return { text: `answer to ${id}` };
    };
    const { client, batchesCreated } = await setup(responder, {}, minute);
    const settled = await Promise.allSettled([0, 1, 2, 3].map((id) => client.create(ask(id))));
    expect(settled.map((result) => (result.status === "fulfilled" ? textOf([result.value.message.content[0]!] as never) : "failed"))).toEqual([
      "answer to call 0",
      "answer to call 1",
      "answer to call 2",
      "failed",
    ]);
    const failure = (settled[3] as PromiseRejectedResult).reason as BatchRequestError;
    expect(failure).toBeInstanceOf(BatchRequestError);
    expect(failure.result).toEqual({ type: "errored", error: { type: "error", error: { type: "invalid_request_error", message: "messages.0: bad" }, request_id: null } });
    expect(failure.message).toBe(`batch ${failure.batchId} answered the request with an error: invalid_request_error: messages.0: bad`);
    expect(batchesCreated().map((request) => (request.body as { requests: { custom_id: string }[] }).requests.length)).toEqual([4, 2]);
    expect(client.stats()).toMatchObject({ batches: 2, requestsSubmitted: 6, resubmitted: 2 });
  });

  it("fails every call of a batch that expired", async () => {
    const { client } = await setup(countingResponder(new Map()), { pollIntervalMs: 60 * minute, maxPollIntervalMs: 6 * 60 * minute }, 24 * 60 * minute);
    const settled = await Promise.allSettled([1, 2].map((id) => client.create(ask(id))));
    expect(settled.map((result) => result.status === "rejected" && (result.reason as BatchRequestError).result)).toEqual([{ type: "expired" }, { type: "expired" }]);
  });

  it("splits a gathering over the per-batch request count", async () => {
    const answers = new Map<string, number>();
    const { client, batchesCreated } = await setup(countingResponder(answers), { maxRequestsPerBatch: 10 }, minute);
    await Promise.all(Array.from({ length: 25 }, (_, id) => client.create(ask(id))));
    expect(batchesCreated().map((request) => (request.body as { requests: unknown[] }).requests.length)).toEqual([10, 10, 5]);
    expect(answers.size).toBe(25);
  });

  it("counts tokens straight through, there being no batch form", async () => {
    const { client, fake } = await setup(countingResponder(new Map()));
    expect(await client.countTokens({ model, messages: [{ role: "user", content: "how many tokens is this" }] })).toBeGreaterThan(0);
    expect(fake.requests.map((request) => request.path)).toEqual(["/v1/messages/count_tokens"]);
  });
});
