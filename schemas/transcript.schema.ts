import { z } from "zod";

/** Token usage of one model call, as the Messages API reports it. */
export const usageSchema = z.strictObject({
  inputTokens: z.int().min(0).meta({ description: "Input tokens billed at the base rate (after the cached prefix)." }),
  outputTokens: z.int().min(0),
  cacheCreationInputTokens: z.int().min(0).meta({ description: "Input tokens written to the prompt cache (billed at 1.25×)." }),
  cacheReadInputTokens: z.int().min(0).meta({ description: "Input tokens read from the prompt cache (billed at 0.1×)." }),
});
export type Usage = z.infer<typeof usageSchema>;

export const modelCallSchema = z.strictObject({
  model: z.string().meta({ description: "The model that answered (the response's `model`)." }),
  startedAt: z.iso.datetime().optional(),
  latencyMs: z.number().min(0),
  stopReason: z.string().nullable().meta({ description: "`end_turn`, `tool_use`, `max_tokens`, …" }),
  usage: usageSchema,
  requestId: z.string().optional(),
  batch: z.boolean().optional().meta({ description: "Answered through the Message Batches API (billed at half price)." }),
});
export type ModelCall = z.infer<typeof modelCallSchema>;

export const toolCallSchema = z.strictObject({
  server: z.string().meta({ description: "The shared server the tool belongs to." }),
  tool: z.string(),
  input: z.json(),
  output: z.json().meta({ description: "What the tool returned: text, or JSON." }),
  isError: z.boolean(),
  durationMs: z.number().min(0),
  source: z.enum(["mock", "live", "agent"]).optional().meta({ description: "A suite mock, a live MCP server, or the team's own code (command runner)." }),
});
export type ToolCall = z.infer<typeof toolCallSchema>;

/** What one trial of one case did: the only thing grading reads. The command runner writes it; the builtin runner builds it. */
export const transcriptSchema = z
  .strictObject({
    schemaVersion: z.literal(1),
    output: z.string().meta({ description: "The agent's final answer as text." }),
    modelCalls: z.array(modelCallSchema),
    toolCalls: z.array(toolCallSchema),
    skillsLoaded: z.array(z.string()).default([]).meta({ description: "Skills in the agent's context, by name." }),
    latencyMs: z.number().min(0).meta({ description: "Wall time of the whole trial." }),
    stop: z
      .enum(["end", "max-turns", "error", "timeout"])
      .meta({ description: "`end`: the agent answered; `max-turns`: stopped at the runner's turn cap; `error` / `timeout`: the run failed." }),
    error: z.string().optional().meta({ description: "Why the run failed (stop `error` or `timeout`)." }),
  })
  .meta({
    title: "blastgate eval transcript",
    description: "One trial of one eval case: final output, every model call and every tool call.",
  });
export type Transcript = z.infer<typeof transcriptSchema>;
