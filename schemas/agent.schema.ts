import { z } from "zod";
import { kebabName, relativePath, someText, teamName, versionRange } from "./common.ts";

const skillRef = z.union(
  [
  versionRange.meta({ description: "A semver range of the shared skill, e.g. `^1.2.0`." }),
  z
    .strictObject({
      version: versionRange.meta({ description: "A semver range of the shared skill." }),
      overlay: relativePath
        .optional()
        .meta({
          description:
            "A markdown file in this repo layered on the shared skill: its `## Heading` sections replace the skill's sections of the same heading; other sections are appended.",
        }),
    })
    .meta({ description: "A skill with a range and an optional team overlay." }),
  ],
  { error: "a semver range (`^1.2.0`) or a mapping with `version` and an optional `overlay`" },
);

const runner = z.discriminatedUnion("type", [
  z
    .strictObject({
      type: z.literal("builtin").meta({ description: "blastgate assembles the system prompt, resolved skills and tools and drives Claude." }),
      system: relativePath.optional().meta({ description: "A markdown file with the agent's own system prompt." }),
      maxTurns: z.int().min(1).max(100).default(10).meta({ description: "Tool-use turns before a trial is stopped." }),
    })
    .meta({ title: "Builtin runner" }),
  z
    .strictObject({
      type: z.literal("command").meta({ description: "blastgate calls the team's own entry point." }),
      command: z
        .array(z.string().min(1))
        .min(1)
        .meta({
          description:
            "The program and its arguments, run without a shell. It reads the resolved model, skills and servers from its environment and writes a transcript.",
        }),
      timeoutSeconds: z.int().min(1).max(3600).default(300).meta({ description: "Per-trial timeout." }),
    })
    .meta({ title: "Command runner" }),
]);

/** `agent.yaml` at the root of an agent repo. */
export const agentManifestSchema = z
  .strictObject({
    name: kebabName.meta({ description: "The agent's name, unique in the organisation." }),
    description: someText(1024).optional().meta({ description: "What the agent does, for the catalog." }),
    team: teamName.meta({ description: "The owning team (a GitHub team slug)." }),
    tier: z
      .enum(["production", "staging", "experimental"])
      .meta({ description: "How critical the agent is; the gate policy sets rules per tier." }),
    model: z
      .string()
      .min(1)
      .default("default")
      .meta({
        description:
          "`default` (the registry's default model), an alias from models.yaml such as `fast`, or a model id such as `claude-sonnet-5-5`.",
      }),
    servers: z
      .record(kebabName, versionRange)
      .default({})
      .meta({ description: "Shared MCP servers this agent uses: name → semver range." }),
    skills: z
      .record(kebabName, skillRef)
      .default({})
      .meta({ description: "Shared skills this agent uses: name → semver range, or `{version, overlay}`." }),
    evals: z
      .strictObject({
        suite: relativePath.default("evals").meta({ description: "The folder of YAML eval cases." }),
        runner: runner.default({ type: "builtin", maxTurns: 10 }),
        trials: z.int().min(1).max(100).default(3).meta({ description: "Runs of each case per variant." }),
        thresholds: z
          .strictObject({
            passRate: z.number().min(0).max(1).optional().meta({ description: "The pass rate this agent must reach." }),
            maxRegression: z
              .number()
              .min(0)
              .max(1)
              .optional()
              .meta({ description: "The largest drop in pass rate, head against base, this agent tolerates." }),
          })
          .default({})
          .meta({ description: "Overrides of the gate policy's per-tier thresholds (stricter only)." }),
      })
      .optional()
      .meta({ description: "Where the agent's eval suite is and how the agent is run for it." }),
  })
  .meta({
    title: "blastgate agent manifest (agent.yaml)",
    description: "Declares which shared MCP servers, skills and model an agent uses, with semver ranges.",
  });

export type AgentManifest = z.infer<typeof agentManifestSchema>;
