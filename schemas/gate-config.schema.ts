import { z } from "zod";

const tierRule = z
  .strictObject({
    gate: z
      .enum(["block", "warn", "skip"])
      .meta({ description: "`block`: a failing agent of this tier fails the check; `warn`: reported only; `skip`: not evaluated." }),
    minPassRate: z.number().min(0).max(1).meta({ description: "The pass rate (mean over cases and trials) an agent must reach at head." }),
    maxRegression: z
      .number()
      .min(0)
      .max(1)
      .meta({ description: "The largest significant drop in pass rate, head against base, that still passes." }),
    trials: z.int().min(1).max(100).meta({ description: "Trials per case and variant to start with." }),
    maxTrials: z.int().min(1).max(200).meta({ description: "Trials an inconclusive comparison may grow to." }),
  })
  .refine((rule) => rule.maxTrials >= rule.trials, { message: "at least `trials`", path: ["maxTrials"] });

// Each tier's defaults, written once; sections default to `{}` and fill in from their fields (zod's prefault).
const defaultTiers = {
  production: { gate: "block", minPassRate: 0.9, maxRegression: 0.02, trials: 5, maxTrials: 20 },
  staging: { gate: "block", minPassRate: 0.8, maxRegression: 0.05, trials: 3, maxTrials: 10 },
  experimental: { gate: "warn", minPassRate: 0, maxRegression: 0.1, trials: 1, maxTrials: 3 },
} as const;

/** `.github/blastgate.yml` in the registry: the gate's policy, read from the base branch only. */
export const gateConfigSchema = z
  .strictObject({
    agents: z
      .strictObject({
        repositories: z
          .array(z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, { message: "an `owner/repo` name" }))
          .default([])
          .meta({ description: "Agent repos to read `agent.yaml` from, as `owner/repo`." }),
        topic: z
          .string()
          .regex(/^[a-z0-9][a-z0-9-]{0,49}$/, { message: "a GitHub topic: lowercase letters, digits and hyphens" })
          .optional()
          .meta({ description: "Also read every repo of the installation that carries this topic." }),
        manifest: z.string().default("agent.yaml").meta({ description: "The manifest's path in each agent repo." }),
      })
      .prefault({})
      .meta({ description: "Where the agents are." }),
    tiers: z
      .strictObject({
        production: tierRule.default(defaultTiers.production),
        staging: tierRule.default(defaultTiers.staging),
        experimental: tierRule.default(defaultTiers.experimental),
      })
      .prefault({})
      .meta({ description: "Gate rules per agent tier." }),
    statistics: z
      .strictObject({
        alpha: z.number().gt(0).lt(0.5).default(0.05).meta({ description: "Significance level of the paired comparison." }),
        correction: z
          .enum(["holm", "bonferroni", "benjamini-hochberg", "none"])
          .default("holm")
          .meta({ description: "How to control for comparing many agents in one gate." }),
      })
      .prefault({}),
    evalStandard: z
      .strictObject({
        appliesTo: z
          .array(z.enum(["production", "staging", "experimental"]))
          .default(["production"])
          .meta({ description: "Tiers that must meet the standard; below it the verdict is `below-standard`." }),
        minCases: z.int().min(0).default(10).meta({ description: "Fewest eval cases a suite may have." }),
        requireTrajectoryAssertions: z
          .boolean()
          .default(true)
          .meta({ description: "Each suite must check tool use (called / not called / sequence / arguments)." }),
        requireNegativeCases: z
          .boolean()
          .default(false)
          .meta({ description: "Each suite must hold cases where the agent should refuse or not act." }),
      })
      .prefault({})
      .meta({ description: "The org-wide eval standard production agents must meet." }),
    execution: z
      .strictObject({
        strategy: z
          .enum(["central", "dispatch"])
          .default("central")
          .meta({ description: "`central`: one matrix run in the registry repo; `dispatch`: each agent repo's own eval workflow." }),
        workflow: z.string().default("blastgate-eval.yml").meta({ description: "The eval workflow's file name." }),
        maxParallel: z.int().min(1).max(256).default(20).meta({ description: "Matrix jobs or dispatches running at once." }),
        timeoutMinutes: z.int().min(1).max(360).default(60).meta({ description: "A missing result after this long fails the gate." }),
      })
      .prefault({}),
    budgets: z
      .strictObject({
        perGateUsd: z.number().positive().default(50).meta({ description: "Spend cap for one gate run (all agents, both variants)." }),
        perAgentUsd: z.number().positive().default(5).meta({ description: "Spend cap for one agent in one gate run." }),
      })
      .prefault({}),
    accept: z
      .strictObject({
        teams: z
          .array(z.string())
          .default([])
          .meta({ description: "Teams, besides each agent's own, whose members may `/blastgate accept` a regression." }),
      })
      .prefault({}),
    catalog: z
      .strictObject({
        namespace: z
          .string()
          .regex(/^[a-zA-Z0-9.-]+$/, { message: "a reverse-DNS namespace such as `com.example`" })
          // server.json names are `<namespace>/<server>` and at most 200 characters; servers' names are at most 64.
          .max(120)
          .default("com.example")
          .meta({ description: "The reverse-DNS namespace of exported server.json names (`<namespace>/<server>`)." }),
      })
      .prefault({}),
  })
  .meta({
    title: "blastgate gate policy (.github/blastgate.yml)",
    description: "How the blastgate check decides. Read from the registry's base branch, never from a PR's head.",
  });

export type GateConfig = z.infer<typeof gateConfigSchema>;
