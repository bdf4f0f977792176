// The Messages API requests of the builtin runner. Tools and system blocks are the same bytes
// for every case and trial of a variant, with one cache breakpoint at their end, so the
// prompt cache holds them once per variant and every trial reads them from it.
import type Anthropic from "@anthropic-ai/sdk";
import type { AgentTool, AgentUnderTest, EvalCase } from "./model.ts";

/** Output tokens one model call may produce. */
export const MAX_TOKENS = 4096;

const MAX_TOOL_NAME = 64;

/** One tool as the model sees it, and the server tool it stands for. */
export interface ModelTool {
  /** `server__tool`: Claude tool names allow only `[A-Za-z0-9_-]{1,64}`. */
  readonly name: string;
  readonly tool: AgentTool;
}

/**
 * The model-facing names of an agent's tools, in the agent's order. `crm.get_account` is
 * `crm__get_account`; characters a tool name may not hold become `_`, and a name that is too
 * long or taken is shortened and numbered. The runner maps names back through this list.
 */
export function nameModelTools(tools: readonly AgentTool[]): ModelTool[] {
  const taken = new Set<string>();
  return tools.map((tool, index) => {
    let name = `${tool.server}__${tool.name}`.replace(/[^A-Za-z0-9_-]/g, "_");
    if (name.length > MAX_TOOL_NAME || taken.has(name)) {
      const suffix = `_${index + 1}`;
      name = name.slice(0, MAX_TOOL_NAME - suffix.length) + suffix;
    }
    taken.add(name);
    return { name, tool };
  });
}

/** The cached prefix of every request of a variant: tools, then system blocks, the last of them marked for the cache. */
export function buildPrefix(agent: AgentUnderTest): { tools: Anthropic.Tool[]; system: Anthropic.TextBlockParam[] } {
  const tools: Anthropic.Tool[] = nameModelTools(agent.tools).map(({ name, tool }) => ({
    name,
    description: tool.description,
    input_schema: { type: "object", ...tool.inputSchema },
  }));
  const system: Anthropic.TextBlockParam[] = [
    ...(agent.system === null || agent.system.trim() === "" ? [] : [agent.system]),
    ...agent.skills.map((skill) => `<skill name="${skill.name}" version="${skill.version}">\n${skill.body.replace(/\n+$/, "")}\n</skill>`),
  ].map((text) => ({ type: "text", text }));
  // One breakpoint at the end of the prefix: the API's prefix order is tools, then system,
  // then messages, so a mark on the last system block caches the tools too.
  const last = system.at(-1) ?? tools.at(-1);
  if (last) last.cache_control = { type: "ephemeral" };
  return { tools, system };
}

/** The conversation a case starts with. */
export function buildCaseMessages(input: EvalCase["input"]): Anthropic.MessageParam[] {
  if (typeof input === "string") return [{ role: "user", content: input }];
  return input.map((turn) => ({ role: turn.role, content: turn.content }));
}

/**
 * The request for one turn of a trial: the variant's prefix and the conversation so far
 * (the case's input at the first turn). No temperature: trials sample the model as the
 * agent would run in production, and the gate counts passes over several trials.
 */
export function buildTrialRequest(agent: AgentUnderTest, messages: readonly Anthropic.MessageParam[]): Anthropic.MessageCreateParamsNonStreaming {
  const { tools, system } = buildPrefix(agent);
  return {
    model: agent.model,
    max_tokens: MAX_TOKENS,
    ...(tools.length > 0 ? { tools } : {}),
    ...(system.length > 0 ? { system } : {}),
    messages: [...messages],
  };
}

/**
 * A one-token request with the variant's prefix, sent once per variant before its trials fan
 * out, so the prefix is written to the cache once and every trial reads it.
 */
export function buildWarmupRequest(agent: AgentUnderTest): Anthropic.MessageCreateParamsNonStreaming {
  return { ...buildTrialRequest(agent, [{ role: "user", content: "Reply with OK." }]), max_tokens: 1 };
}
