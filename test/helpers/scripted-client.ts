import type Anthropic from "@anthropic-ai/sdk";
import type { MessageParams, MessagesClient } from "../../app/evals/messages-client.ts";

/** What a scripted model answers: text, tool calls, or both. */
export interface ScriptedAnswer {
  readonly text?: string;
  readonly tools?: readonly { readonly name: string; readonly input: Record<string, unknown>; readonly id?: string }[];
  readonly usage?: Partial<Anthropic.Usage>;
}

/**
 * A MessagesClient that answers from a script, in process: for runner tests that are not
 * about HTTP. `requests` holds a copy of every request as sent.
 */
export function scriptedClient(script: (params: MessageParams, index: number) => ScriptedAnswer | Error): MessagesClient & { requests: MessageParams[] } {
  const requests: MessageParams[] = [];
  return {
    requests,
    async create(params) {
      const index = requests.length;
      requests.push(structuredClone(params));
      const answer = script(params, index);
      if (answer instanceof Error) throw answer;
      const content: Anthropic.ContentBlock[] = [
        ...(answer.text === undefined ? [] : [{ type: "text" as const, text: answer.text, citations: null }]),
        ...(answer.tools ?? []).map((tool, position) => ({ type: "tool_use" as const, id: tool.id ?? `toolu_${index}_${position}`, name: tool.name, input: tool.input, caller: { type: "direct" as const } })),
      ] as Anthropic.ContentBlock[];
      const message = {
        id: `msg_${index}`,
        type: "message",
        role: "assistant",
        model: params.model,
        content,
        stop_reason: answer.tools?.length ? "tool_use" : "end_turn",
        stop_sequence: null,
        usage: { input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, ...answer.usage },
      } as unknown as Anthropic.Message;
      return { message, latencyMs: 7, requestId: `req_${index}` };
    },
    async countTokens() {
      return 0;
    },
  };
}

/** The text of the last tool_result blocks in a request, by tool_use id. */
export function toolResults(params: MessageParams): Record<string, { text: string; isError: boolean }> {
  const last = params.messages.at(-1);
  if (!last || typeof last.content === "string") return {};
  const results: Record<string, { text: string; isError: boolean }> = {};
  for (const block of last.content) {
    if (block.type === "tool_result") results[block.tool_use_id] = { text: typeof block.content === "string" ? block.content : JSON.stringify(block.content), isError: block.is_error === true };
  }
  return results;
}
