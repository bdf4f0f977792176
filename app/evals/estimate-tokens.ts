// Token counts for a cost estimate: the free token-counting endpoint when it answers,
// else a local estimate at four characters a token, said to be local. A run must be able
// to estimate offline (a replay, no API key) and when counting is rate-limited.
import type { EvalCase } from "../core/evals/model.ts";
import type { TokenCount } from "../core/evals/estimate-cost.ts";
import type { CountTokensParams, MessagesClient } from "./messages-client.ts";

/** Characters per token of the local estimate: the usual rule of thumb for English text and JSON. */
export const CHARS_PER_TOKEN = 4;

/** The stable prefix of every call of a variant, as the runner sends it. */
export interface PrefixToCount {
  readonly system?: CountTokensParams["system"];
  readonly tools?: CountTokensParams["tools"];
}

export interface TokensToCount {
  readonly model: string;
  readonly prefix: PrefixToCount;
  readonly cases: readonly Pick<EvalCase, "id" | "input">[];
}

export interface CountedTokens {
  readonly prefix: TokenCount;
  /** By case id. */
  readonly cases: ReadonlyMap<string, TokenCount>;
  /** Why some counts are local: no client (offline), or the endpoint's first failure. */
  readonly localBecause?: string;
}

export interface CountOptions {
  readonly signal?: AbortSignal;
  /** Counting requests in flight at once (default 4): the endpoint has its own rate limit. */
  readonly concurrency?: number;
}

/** Tokens in `text` by the local rule: characters / 4, rounded up. */
export function estimateTokensLocally(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/** A case's input as the messages a trial starts from. */
function messagesOf(input: EvalCase["input"]): CountTokensParams["messages"] {
  return typeof input === "string" ? [{ role: "user", content: input }] : input.map((turn) => ({ role: turn.role, content: turn.content }));
}

/** The text the local estimate counts: everything sent, as the JSON it travels in. */
function localCount(value: unknown): TokenCount {
  return { tokens: estimateTokensLocally(value === undefined ? "" : JSON.stringify(value)), local: true };
}

/**
 * Counts the prefix once (sent with a one-character message, which the count includes:
 * a few tokens too many) and each case's input messages. `client` null counts everything
 * locally. After the first failed count (endpoint down, rate limited, no key) the rest are
 * local too, rather than waiting on an endpoint that is not answering.
 */
export async function countRunTokens(client: MessagesClient | null, what: TokensToCount, options: CountOptions = {}): Promise<CountedTokens> {
  let localBecause: string | undefined = client ? undefined : "token counting is off (offline)";
  const count = async (params: CountTokensParams, local: () => TokenCount): Promise<TokenCount> => {
    if (!client || localBecause !== undefined) return local();
    try {
      return { tokens: await client.countTokens(params, options.signal), local: false };
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      localBecause ??= `token counting failed (${error instanceof Error ? error.message : String(error)})`;
      return local();
    }
  };

  const prefixText = { system: what.prefix.system, tools: what.prefix.tools };
  const prefix = await count(
    { model: what.model, ...prefixText, messages: [{ role: "user", content: "." }] },
    () => localCount(prefixText.system === undefined && prefixText.tools === undefined ? undefined : prefixText),
  );
  const counts: TokenCount[] = [];
  let next = 0;
  const worker = async () => {
    while (next < what.cases.length) {
      const index = next++;
      const messages = messagesOf(what.cases[index]!.input);
      counts[index] = await count({ model: what.model, messages }, () => localCount(messages.map((message) => message.content)));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));
  // In the cases' order, whatever order the counts came back in.
  const cases = new Map(what.cases.map((one, index) => [one.id, counts[index]!]));
  return { prefix, cases, ...(localBecause === undefined ? {} : { localBecause }) };
}
