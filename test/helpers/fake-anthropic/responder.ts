// What the fake model says. A test supplies a responder: a function from the request to the
// reply's content (text and tool_use blocks) and, if it likes, the stop reason. The fake turns
// that into a real Message: ids, usage from its token estimate, max_tokens and stop_sequences
// applied the way the API applies them.
import type Anthropic from "@anthropic-ai/sdk";
import type { IncomingHttpHeaders } from "node:http";
import { estimateTokens } from "./prompt.ts";

/** A content block a responder may return; `id` of a tool_use is filled in (`toolu_…`) when left out. */
export type ScriptedBlock =
  | { readonly type: "text"; readonly text: string }
  | { readonly type: "tool_use"; readonly name: string; readonly input: unknown; readonly id?: string }
  | { readonly type: "thinking"; readonly thinking: string; readonly signature?: string };

/** What a responder returns: content (or just `text`), optionally how the turn stopped. */
export interface ResponderReply {
  readonly content?: readonly ScriptedBlock[];
  /** Shorthand for `content: [{ type: "text", text }]`; appended after `content` when both are given. */
  readonly text?: string;
  /** Default: `tool_use` when the content has a tool_use block, else `end_turn`; `max_tokens` / `stop_sequence` when the fake cuts the reply. */
  readonly stop_reason?: Anthropic.StopReason;
  /** Output tokens to report instead of the estimate of the content. */
  readonly output_tokens?: number;
}

/** A responder may answer with an API error instead of a message (e.g. a 500 mid-conversation). */
export interface ResponderError {
  readonly error: { readonly status: number; readonly type: string; readonly message: string };
}

/** What the responder knows besides the request. */
export interface ResponderContext {
  /** 0-based count of Messages requests this fake has answered before (HTTP and batch alike). */
  readonly index: number;
  /** Assistant messages already in the request: 0 for the first turn of a conversation. */
  readonly turn: number;
  /** The `request-id` of the HTTP request (for a batch item: of the batch's processing). */
  readonly requestId: string;
  /** The fake's clock. */
  readonly now: number;
  /** The whole prompt's token estimate (what count_tokens returns). */
  readonly inputTokens: number;
  /** Request headers (empty for a batch item). */
  readonly headers: IncomingHttpHeaders;
  /** Set when answering an item of a Message Batch. */
  readonly batch?: { readonly id: string; readonly customId: string };
}

export type Responder = (request: Anthropic.MessageCreateParamsNonStreaming, context: ResponderContext) => ResponderReply | ResponderError | Promise<ResponderReply | ResponderError>;

/** The default: a deterministic echo of the last user text. */
export const echoResponder: Responder = (request) => {
  const last = [...request.messages].reverse().find((message) => message.role === "user");
  return { text: `Echo: ${last === undefined ? "" : textOf(last.content)}` };
};

/**
 * A conversation script: the reply for turn N is `turns[N]` (N = assistant messages already in
 * the request), so concurrent conversations following the same script do not interfere. A
 * request past the end gets a 500, which a test sees.
 */
export function scriptedResponder(turns: ReadonlyArray<ResponderReply | Responder>): Responder {
  return (request, context) => {
    const turn = turns[context.turn];
    if (turn === undefined) return { error: { status: 500, type: "api_error", message: `the fake's script has ${turns.length} turns; no reply for turn ${context.turn}` } };
    return typeof turn === "function" ? turn(request, context) : turn;
  };
}

/** Text of a message's content: strings, text blocks and the text inside tool_result blocks. */
export function textOf(content: Anthropic.MessageParam["content"]): string {
  if (typeof content === "string") return content;
  return content
    .map((block) => {
      if (block.type === "text") return block.text;
      if (block.type === "tool_result") return typeof block.content === "string" ? block.content : (block.content ?? []).map((part) => (part.type === "text" ? part.text : "")).join("");
      return "";
    })
    .filter((text) => text !== "")
    .join("\n");
}

/** Turns a reply into content blocks and a stop reason, applying stop_sequences and max_tokens. */
export function buildContent(reply: ResponderReply, request: Anthropic.MessageCreateParamsNonStreaming, nextToolId: () => string): {
  content: Anthropic.ContentBlock[];
  stopReason: Anthropic.StopReason;
  stopSequence: string | null;
  outputTokens: number;
} {
  const scripted: ScriptedBlock[] = [...(reply.content ?? []), ...(reply.text === undefined ? [] : [{ type: "text" as const, text: reply.text }])];
  const content: Anthropic.ContentBlock[] = [];
  let stopReason: Anthropic.StopReason | undefined = reply.stop_reason;
  let stopSequence: string | null = null;
  let budget = request.max_tokens;
  for (const block of scripted) {
    if (block.type === "text") {
      let text = block.text;
      if (stopReason === undefined) {
        const hit = (request.stop_sequences ?? []).map((sequence) => ({ sequence, at: text.indexOf(sequence) })).filter((found) => found.at >= 0).sort((a, b) => a.at - b.at)[0];
        if (hit !== undefined) {
          text = text.slice(0, hit.at);
          stopReason = "stop_sequence";
          stopSequence = hit.sequence;
        }
        if (estimateTokens(text) > budget) {
          text = text.slice(0, budget * 4);
          stopReason = "max_tokens";
          stopSequence = null;
        }
      }
      budget -= estimateTokens(text);
      if (text !== "") content.push({ type: "text", text, citations: null });
    } else if (block.type === "tool_use") {
      const built: Anthropic.ToolUseBlock = { type: "tool_use", id: block.id ?? nextToolId(), name: block.name, input: block.input, caller: { type: "direct" } };
      const cost = estimateTokens(JSON.stringify({ name: block.name, input: block.input }));
      if (stopReason === undefined && cost > budget) {
        stopReason = "max_tokens";
        break;
      }
      budget -= cost;
      content.push(built);
    } else {
      content.push({ type: "thinking", thinking: block.thinking, signature: block.signature ?? "fake-signature" });
      budget -= estimateTokens(block.thinking);
    }
    if (stopReason === "stop_sequence" || stopReason === "max_tokens") break;
  }
  const estimated = content.reduce((sum, block) => sum + outputTokensOf(block), 0);
  return {
    content,
    stopReason: stopReason ?? (content.some((block) => block.type === "tool_use") ? "tool_use" : "end_turn"),
    stopSequence,
    outputTokens: reply.output_tokens ?? Math.max(1, estimated),
  };
}

function outputTokensOf(block: Anthropic.ContentBlock): number {
  if (block.type === "text") return estimateTokens(block.text);
  if (block.type === "tool_use") return estimateTokens(JSON.stringify({ name: block.name, input: block.input }));
  if (block.type === "thinking") return estimateTokens(block.thinking);
  return 0;
}
