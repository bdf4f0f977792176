import Anthropic, { APIError, APIUserAbortError } from "@anthropic-ai/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { createThrottledClient, ThrottleDeadlineError, type ThrottleClock, type ThrottledClientOptions } from "../../app/evals/throttled-client.ts";
import type { MessageParams } from "../../app/evals/messages-client.ts";
import { createManualClock, startFakeAnthropic, textOf, type FakeAnthropic, type FakeAnthropicOptions, type ManualClock, type Responder } from "../helpers/fake-anthropic.ts";

const model = "claude-sonnet-5-5";
const minute = 60_000;

/** The client's clock on the fake's manual clock: a wait jumps the clock to its end instead of sleeping. */
function virtualTime(clock: ManualClock): ThrottleClock {
  return {
    now: () => clock.now(),
    setTimer(ms, run) {
      const at = clock.now() + ms;
      const timer = setTimeout(() => {
        if (clock.now() < at) clock.set(at);
        run();
      }, 0);
      return () => clearTimeout(timer);
    },
  };
}

function ask(id: number | string): MessageParams {
  return { model, max_tokens: 64, messages: [{ role: "user", content: `call ${id}` }] };
}

interface Setup {
  fake: FakeAnthropic;
  clock: ManualClock;
  /** Answers per call id, counted by the responder. */
  answers: Map<string, number>;
  /** The client's calls in flight whenever the responder answered. */
  inFlightSeen: { inFlight: number; limitedBefore: number }[];
  client: ReturnType<typeof createThrottledClient>;
}

const fakes: FakeAnthropic[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function setup(fakeOptions: FakeAnthropicOptions, sdkOptions: { maxRetries: number }, clientOptions: Omit<ThrottledClientOptions, "clock"> = {}): Promise<Setup> {
  const clock = createManualClock(undefined, { skipWaits: true });
  const answers = new Map<string, number>();
  const inFlightSeen: Setup["inFlightSeen"] = [];
  // The responder reads the client's in-flight count; the client is made after the fake.
  const made: { client?: Setup["client"] } = {};
  const counting: Responder = (request) => {
    const id = textOf(request.messages.at(-1)!.content);
    answers.set(id, (answers.get(id) ?? 0) + 1);
    inFlightSeen.push({ inFlight: made.client!.stats().messages.inFlight, limitedBefore: fake.requests.filter((r) => r.status === 429).length });
    return { text: `answer to ${id}` };
  };
  const fake = await startFakeAnthropic({ clock, responder: counting, ...fakeOptions });
  fakes.push(fake);
  const sdk = new Anthropic({ apiKey: fake.apiKey, baseURL: fake.url, ...sdkOptions });
  const client = createThrottledClient(sdk, { ...clientOptions, clock: virtualTime(clock) });
  made.client = client;
  return { fake, clock, answers, inFlightSeen, client };
}

function messagesRequests(fake: FakeAnthropic) {
  return fake.requests.filter((request) => request.method === "POST" && request.path === "/v1/messages");
}

describe("createThrottledClient against the fake Messages API", () => {
  it("answers 200 calls exactly once through a tight requests limit and injected 529s, with fewer in flight after the 429s", async () => {
    const { fake, answers, inFlightSeen, client } = await setup(
      { rateLimits: { requestsPerMinute: 60, burst: { requests: 3 } }, overload: { probability: 0.1, seed: 7 } },
      { maxRetries: 0 },
      { concurrency: { initial: 8 } },
    );
    const results = await Promise.all(Array.from({ length: 200 }, (_, id) => client.create(ask(id))));

    expect(results.map((result) => result.message.content)).toEqual(Array.from({ length: 200 }, (_, id) => [{ type: "text", text: `answer to call ${id}`, citations: null }]));
    expect(answers.size).toBe(200);
    expect([...answers.values()].every((count) => count === 1)).toBe(true);
    const stats = client.stats().messages;
    const sent = messagesRequests(fake);
    expect(stats.requests).toBe(sent.length);
    expect(stats.rateLimited).toBe(sent.filter((request) => request.status === 429).length);
    expect(stats.overloaded).toBe(sent.filter((request) => request.status === 529).length);
    expect(stats.rateLimited).toBeGreaterThan(0);
    expect(stats.overloaded).toBeGreaterThan(0);
    // Without SDK retries every refusal is re-queued by the client.
    expect(stats.requeued).toBe(stats.rateLimited + stats.overloaded);
    expect(stats.maxInFlight).toBe(8);
    const afterLimited = inFlightSeen.filter((seen) => seen.limitedBefore > 0).map((seen) => seen.inFlight);
    expect(afterLimited.length).toBeGreaterThan(150);
    expect(Math.max(...afterLimited)).toBeLessThanOrEqual(4);
    expect(results.every((result) => result.requestId?.startsWith("req_"))).toBe(true);
  });

  it("keeps close to the requests limit with few 429s once the headers are read", async () => {
    const { fake, clock, answers, client } = await setup({ rateLimits: { requestsPerMinute: 60, burst: { requests: 10 } } }, { maxRetries: 0 });
    const started = clock.now();
    await Promise.all(Array.from({ length: 200 }, (_, id) => client.create(ask(id))));
    const elapsed = clock.now() - started;
    // A bucket of 10 at the start, then one a second.
    const fastest = ((200 - 10) / 60) * minute;
    expect([...answers.values()].filter((count) => count === 1).length).toBe(200);
    expect(elapsed).toBeGreaterThanOrEqual(fastest - 1000);
    expect(elapsed).toBeLessThan(fastest * 1.3);
    expect(client.stats().messages.rateLimited / messagesRequests(fake).length).toBeLessThan(0.05);
  });

  it("counts the SDK's own retries, which it tries before re-queuing", async () => {
    const { fake, answers, client } = await setup({ rateLimits: { requestsPerMinute: 60, burst: { requests: 2 } } }, { maxRetries: 2 }, { concurrency: { initial: 6 } });
    await Promise.all(Array.from({ length: 30 }, (_, id) => client.create(ask(id))));
    const stats = client.stats().messages;
    const sent = messagesRequests(fake);
    expect([...answers.values()].every((count) => count === 1) && answers.size === 30).toBe(true);
    expect(stats.requests).toBe(sent.length);
    expect(stats.rateLimited).toBe(sent.filter((request) => request.status === 429).length);
    expect(stats.retries).toBe(sent.length - 30);
    // The first window's refusals were retried by the SDK (sent again without a new call).
    expect(stats.retries).toBeGreaterThan(stats.requeued);
  });

  it.each([
    ["a 400", { error: { status: 400, type: "invalid_request_error", message: "messages: bad" } }, 400],
    ["a 404", { error: { status: 404, type: "not_found_error", message: "model: nope" } }, 404],
  ] as const)("throws %s at once without sending it again", async (_, reply, status) => {
    const { fake, client } = await setup({}, { maxRetries: 2 });
    fake.setResponder(() => reply);
    const failure = await client.create(ask(1)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).status).toBe(status);
    expect(messagesRequests(fake)).toHaveLength(1);
    expect(client.stats().messages).toMatchObject({ calls: 1, requests: 1, retries: 0, requeued: 0, inFlight: 0 });
  });

  it("gives up with a ThrottleDeadlineError, the last refusal as its cause, when the next send would be past the deadline", async () => {
    const { fake, clock, client } = await setup({ overload: { next: 1000 } }, { maxRetries: 0 }, { deadlineAt: Date.parse("2026-01-05T09:00:10Z"), concurrency: { backoffBaseMs: 1000 } });
    expect(clock.now()).toBe(Date.parse("2026-01-05T09:00:00Z"));
    const failure = await client.create(ask(1)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ThrottleDeadlineError);
    expect(((failure as ThrottleDeadlineError).cause as APIError).status).toBe(529);
    // Backoff 1 s, 2 s, 4 s: sends at 0, 1, 3 and 7 s; the next would be at 15 s.
    expect(messagesRequests(fake).map((request) => request.at - Date.parse("2026-01-05T09:00:00Z"))).toEqual([0, 1000, 3000, 7000]);
  });

  it("drops a waiting call whose signal aborts, without sending it", async () => {
    const { fake, client } = await setup({ latencyMs: 30 }, { maxRetries: 0 }, { concurrency: { initial: 1, max: 1 } });
    const first = client.create(ask(1));
    const controller = new AbortController();
    const second = client.create(ask(2), controller.signal);
    controller.abort();
    await expect(second).rejects.toBeInstanceOf(APIUserAbortError);
    await first;
    expect(messagesRequests(fake).map((request) => textOf((request.body as MessageParams).messages[0]!.content))).toEqual(["call 1"]);
    expect(client.stats().messages.inFlight).toBe(0);
  });

  it("paces token counting on a lane of its own", async () => {
    const { fake, client } = await setup({ rateLimits: { countTokensRequestsPerMinute: 60, burst: { countTokensRequests: 2 } } }, { maxRetries: 0 });
    const counts = await Promise.all(Array.from({ length: 12 }, (_, id) => client.countTokens({ model, messages: [{ role: "user", content: `count ${id}` }] })));
    expect(counts.every((count) => count > 0)).toBe(true);
    const stats = client.stats();
    const sent = fake.requests.filter((request) => request.path === "/v1/messages/count_tokens");
    expect(stats.countTokens).toMatchObject({ calls: 12, requests: sent.length });
    expect(stats.countTokens.rateLimited).toBe(sent.filter((request) => request.status === 429).length);
    expect(stats.messages).toMatchObject({ calls: 0, requests: 0, rateLimited: 0 });
  });
});
