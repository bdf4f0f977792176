// A request body checked the way the Messages API checks it, and cut into the blocks that
// prompt caching and token counting see, in the API's prefix order: tools, then system, then
// messages. Token counts are a deterministic local estimate (a quarter of the characters,
// rounded up, per block), so a test can compute what the fake will report.
import { createHash } from "node:crypto";

export type CacheTtl = "5m" | "1h";

/** One block of the prompt prefix: a tool, a system block, or a message content block. */
export interface PromptBlock {
  /** Where it sits in the request body, as the API names paths in errors: `tools.0`, `system.1`, `messages.2.content.0`. */
  readonly path: string;
  readonly tokens: number;
  /** The block's cache breakpoint, if it carries `cache_control`. */
  readonly breakpoint?: CacheTtl;
  /** Hash of the prefix up to and including this block (model included): the cache key at this block. */
  readonly prefixHash: string;
  /** Tokens of the prefix up to and including this block. */
  readonly prefixTokens: number;
}

export interface Prompt {
  readonly model: string;
  readonly blocks: readonly PromptBlock[];
  readonly inputTokens: number;
}

/** A 400 the API would send: `invalid_request_error` with this message. */
export class InvalidRequest extends Error {
  override readonly name = "InvalidRequest";
}

/** The token estimate the fake uses everywhere: a quarter of the characters, rounded up. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX_BREAKPOINTS = 4;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Checks a Messages request body and cuts it into prompt blocks. `requireMaxTokens` is off for
 * count_tokens, which takes no `max_tokens`. Throws InvalidRequest with the API's kind of message.
 */
export function parsePrompt(body: unknown, { requireMaxTokens }: { requireMaxTokens: boolean }): Prompt {
  if (!isObject(body)) throw new InvalidRequest("The request body is not a JSON object.");
  const model = body.model;
  if (model === undefined) throw new InvalidRequest("model: Field required");
  if (typeof model !== "string" || model === "") throw new InvalidRequest("model: Input should be a non-empty string");
  if (requireMaxTokens) {
    if (body.max_tokens === undefined) throw new InvalidRequest("max_tokens: Field required");
    if (!Number.isInteger(body.max_tokens)) throw new InvalidRequest("max_tokens: Input should be a valid integer");
    if ((body.max_tokens as number) < 1) throw new InvalidRequest("max_tokens: Input should be greater than or equal to 1");
  }
  if (body.messages === undefined) throw new InvalidRequest("messages: Field required");
  if (!Array.isArray(body.messages)) throw new InvalidRequest("messages: Input should be a valid list");
  if (body.messages.length === 0) throw new InvalidRequest("messages: at least one message is required");
  if (body.stream === true) throw new InvalidRequest("stream: this fake Messages API answers only non-streaming requests; send `stream: false` or leave it out");

  const raw: { path: string; text: string; role?: string; cacheControl?: unknown }[] = [];
  const cacheControl = (block: Json) => (block.cache_control === undefined || block.cache_control === null ? {} : { cacheControl: block.cache_control });

  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) throw new InvalidRequest("tools: Input should be a valid list");
    const names = new Set<string>();
    body.tools.forEach((tool, i) => {
      if (!isObject(tool)) throw new InvalidRequest(`tools.${i}: Input should be an object`);
      const custom = tool.type === undefined || tool.type === null || tool.type === "custom";
      if (typeof tool.name !== "string" || (custom && !TOOL_NAME.test(tool.name))) {
        throw new InvalidRequest(`tools.${i}.name: String should match pattern '${TOOL_NAME.source}'`);
      }
      if (names.has(tool.name)) throw new InvalidRequest(`tools: Tool names must be unique; \`${tool.name}\` appears more than once.`);
      names.add(tool.name);
      if (custom && !isObject(tool.input_schema)) throw new InvalidRequest(`tools.${i}.input_schema: Field required`);
      raw.push({ path: `tools.${i}`, text: JSON.stringify(withoutCacheControl(tool)), ...cacheControl(tool) });
    });
  }

  if (body.system !== undefined) {
    if (typeof body.system === "string") raw.push({ path: "system", text: body.system });
    else if (Array.isArray(body.system)) {
      body.system.forEach((block, i) => {
        if (!isObject(block) || block.type !== "text" || typeof block.text !== "string") throw new InvalidRequest(`system.${i}: Input should be a text block ({"type": "text", "text": ...})`);
        if (block.text === "") throw new InvalidRequest(`system.${i}.text: text content blocks must be non-empty`);
        raw.push({ path: `system.${i}`, text: block.text, ...cacheControl(block) });
      });
    } else throw new InvalidRequest("system: Input should be a valid string or a list of text blocks");
  }

  const messages = body.messages as unknown[];
  messages.forEach((message, m) => {
    if (!isObject(message)) throw new InvalidRequest(`messages.${m}: Input should be an object`);
    if (message.role !== "user" && message.role !== "assistant") throw new InvalidRequest(`messages.${m}.role: Input should be 'user' or 'assistant'`);
    const role = message.role;
    if (typeof message.content === "string") {
      if (message.content === "" && !(role === "assistant" && m === messages.length - 1)) throw new InvalidRequest(`messages.${m}: all messages must have non-empty content except for the optional final assistant message`);
      raw.push({ path: `messages.${m}.content`, role, text: message.content });
      return;
    }
    if (!Array.isArray(message.content)) throw new InvalidRequest(`messages.${m}.content: Input should be a valid string or a list of content blocks`);
    message.content.forEach((block, b) => {
      const path = `messages.${m}.content.${b}`;
      if (!isObject(block) || typeof block.type !== "string") throw new InvalidRequest(`${path}: Input should be a content block with a \`type\``);
      if (block.type === "text") {
        if (typeof block.text !== "string" || block.text === "") throw new InvalidRequest(`${path}.text: text content blocks must be non-empty`);
        raw.push({ path, role, text: block.text, ...cacheControl(block) });
      } else {
        raw.push({ path, role, text: JSON.stringify(withoutCacheControl(block)), ...cacheControl(block) });
      }
    });
  });
  checkToolPairs(messages as Json[]);

  const breakpoints = raw.filter((block) => block.cacheControl !== undefined);
  const automatic = body.cache_control === undefined || body.cache_control === null ? undefined : body.cache_control;
  const count = breakpoints.length + (automatic === undefined ? 0 : 1);
  if (count > MAX_BREAKPOINTS) throw new InvalidRequest(`A maximum of ${MAX_BREAKPOINTS} blocks with cache_control may be provided. Found ${count}.`);
  // Top-level cache_control marks the last block of the request.
  if (automatic !== undefined && raw.length > 0) raw[raw.length - 1] = { ...raw[raw.length - 1]!, cacheControl: automatic };

  let hash = createHash("sha256").update(`model:${model}`).digest("hex");
  let prefixTokens = 0;
  let seenFiveMinutes = false;
  const blocks = raw.map((block) => {
    const tokens = estimateTokens(block.text);
    prefixTokens += tokens;
    hash = createHash("sha256").update(hash).update(`\u0000${block.path.replace(/\.\d+$/, "")}\u0000${block.role ?? ""}\u0000${block.text}`).digest("hex");
    const breakpoint = block.cacheControl === undefined ? undefined : parseCacheControl(block.cacheControl, block.path);
    if (breakpoint === "5m") seenFiveMinutes = true;
    if (breakpoint === "1h" && seenFiveMinutes) {
      throw new InvalidRequest(`${block.path}.cache_control: a 1h cache_control block must not come after a 5m one; put longer TTLs before shorter ones in the order tools, system, messages`);
    }
    return { path: block.path, tokens, prefixHash: hash, prefixTokens, ...(breakpoint === undefined ? {} : { breakpoint }) };
  });
  return { model, blocks, inputTokens: prefixTokens };
}

function parseCacheControl(value: unknown, path: string): CacheTtl {
  if (!isObject(value) || value.type !== "ephemeral") throw new InvalidRequest(`${path}.cache_control.type: Input should be 'ephemeral'`);
  if (value.ttl === undefined || value.ttl === null) return "5m";
  if (value.ttl !== "5m" && value.ttl !== "1h") throw new InvalidRequest(`${path}.cache_control.ttl: Input should be '5m' or '1h'`);
  return value.ttl;
}

function withoutCacheControl(block: Json): Json {
  const { cache_control: _ignored, ...rest } = block;
  return rest;
}

/** Every tool_result answers a tool_use of the message before; every tool_use is answered in the next message. */
function checkToolPairs(messages: readonly Json[]): void {
  const blocksOf = (message: Json | undefined): Json[] => (message !== undefined && Array.isArray(message.content) ? message.content.filter(isObject) : []);
  messages.forEach((message, m) => {
    const results = blocksOf(message).filter((block) => block.type === "tool_result").map((block) => String(block.tool_use_id));
    if (results.length > 0) {
      const previous = messages[m - 1];
      const uses = new Set(previous?.role === "assistant" ? blocksOf(previous).filter((block) => block.type === "tool_use").map((block) => String(block.id)) : []);
      const stray = results.filter((id) => !uses.has(id));
      if (message.role !== "user" || stray.length > 0) {
        throw new InvalidRequest(`messages.${m}.content: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${stray.join(", ") || results.join(", ")}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`);
      }
    }
    if (message.role === "assistant") {
      const uses = blocksOf(message).filter((block) => block.type === "tool_use").map((block) => String(block.id));
      const next = messages[m + 1];
      if (uses.length > 0 && next !== undefined) {
        const answered = new Set(blocksOf(next).filter((block) => block.type === "tool_result").map((block) => String(block.tool_use_id)));
        const missing = uses.filter((id) => !answered.has(id));
        if (missing.length > 0) {
          throw new InvalidRequest(`messages.${m + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(", ")}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`);
        }
      }
    }
  });
}
