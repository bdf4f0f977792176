import { z } from "zod";

const assetId = z
  .string()
  .meta({ description: "`server:<name>`, `skill:<name>`, `model:default`, `model:alias:<name>`, or `model:<id>` for an agent pinned to an id." });

export const changeFlags = [
  "added",
  "removed",
  "downgrade",
  "content-changed-without-bump",
  "breaking",
  "breaking-under-minor",
  "breaking-under-patch",
  "tool-removed",
  "tool-added",
  "required-input-added",
  "input-type-narrowed",
  "input-removed",
  "scopes-added",
  "scopes-removed",
  "requires-changed",
  "sections-changed",
  "lifecycle-changed",
  "model-retarget",
  "alias-added",
  "alias-removed",
  "deprecated-model",
  "disallowed-model",
  "unreadable",
] as const;

export const changeSchema = z.strictObject({
  asset: assetId,
  from: z.string().nullable().meta({ description: "The version (or model id) at base; null when added." }),
  to: z.string().nullable().meta({ description: "The version (or model id) at head; null when removed." }),
  bump: z
    .enum(["major", "minor", "patch", "prerelease", "none", "downgrade"])
    .nullable()
    .meta({ description: "The semver distance from → to; `none` when the version did not move; null for models and added/removed assets." }),
  flags: z.array(z.enum(changeFlags)).meta({ description: "What kind of change this is; see docs/affected-json.md." }),
  details: z.array(z.string()).meta({ description: "One human-readable line per breaking or notable detail." }),
  scopesAdded: z.array(z.string()).meta({ description: "Scopes the head version adds." }),
  consumers: z.int().min(0).meta({ description: "Agents whose head resolution includes this asset (or uses this model reference), at any version." }),
  gainedBy: z
    .array(z.string())
    .meta({ description: "Agents that resolve a version with `scopesAdded` at head but not at base: who gains the new scopes." }),
});

export const moveSchema = z.strictObject({
  asset: assetId,
  from: z.string().nullable().meta({ description: "Resolved version (or model id) at base; null when the asset joins the agent's closure." }),
  to: z.string().nullable().meta({ description: "Resolved version (or model id) at head; null when it leaves." }),
  contentChanged: z.boolean().meta({ description: "True when the content differs, including under the same version." }),
});

/** A problem as the core reports it: a place in a file of some repo, as data. */
export const problemSchema = z.strictObject({
  level: z.enum(["error", "warning"]),
  code: z.string().meta({ description: "A stable identifier of the kind of problem, e.g. `schema`, `unsatisfiable`, `overlay-stale`." }),
  repo: z
    .string()
    .meta({ description: "The repository holding the file: for the command line, its folder relative to the current directory (`.` for the current one)." }),
  path: z.string().meta({ description: "The file's path inside `repo` (`.` for the repository itself)." }),
  line: z.int().min(1).meta({ description: "1-based line in that file (1 when the whole file is meant)." }),
  ref: z.string().optional().meta({ description: "The git ref the file was read at, when not the working tree." }),
  message: z.string().meta({ description: "What is wrong, what was expected, and how to fix it." }),
  agent: z.string().optional().meta({ description: "The agent concerned, when there is one." }),
});

/** A problem as shown to a person: the same, with the file's display path. */
export const locatedProblemSchema = problemSchema.extend({
  file: z.string().meta({ description: "The file to change, as the reader shows it (for the command line, relative to the current directory)." }),
});

const tier = z.enum(["production", "staging", "experimental"]);

/** An affected agent's resolved closure in one registry state: what its evals run with. */
export const closureSchema = z.strictObject({
  status: z.enum(["ok", "unsatisfiable"]),
  model: z.strictObject({
    ref: z.string().meta({ description: "`model:default`, `model:alias:<name>` or `model:<id>`." }),
    id: z.string().nullable().meta({ description: "The model id it resolves to; null when it does not resolve." }),
  }),
  assets: z
    .array(
      z.strictObject({
        asset: assetId,
        version: z.string(),
        contentHash: z.string().meta({ description: "The content id of the asset's folder at that version (git's tree id)." }),
      }),
    )
    .meta({ description: "Every server and skill in the closure, by asset id." }),
});

function reportSchema<P extends z.ZodType>(problem: P) {
  return z.strictObject({
    schemaVersion: z.literal(1),
    base: z.string().meta({ description: "The base ref as given." }),
    head: z.string().meta({ description: "The head ref as given; `WORKTREE` for the working tree." }),
    summary: z.strictObject({
      changes: z.int().min(0),
      affected: z.int().min(0),
      unaffected: z.int().min(0),
      agents: z.int().min(0).meta({ description: "Agents read (valid manifests)." }),
      refused: z.int().min(0).meta({ description: "Files refused: agent manifests and registry manifests that could not be read or parsed." }),
      errors: z.int().min(0),
      warnings: z.int().min(0),
    }),
    changes: z.array(changeSchema),
    affected: z.array(
      z.strictObject({
        agent: z.string(),
        team: z.string(),
        tier,
        repo: z.string().meta({ description: "The agent repo: for the command line, its folder relative to the current directory." }),
        paths: z
          .array(z.array(assetId).min(1))
          .meta({ description: "Dependency paths, each from the agent's direct dependency to a changed asset." }),
        moves: z.array(moveSchema),
        status: z
          .strictObject({ base: z.enum(["ok", "unsatisfiable"]), head: z.enum(["ok", "unsatisfiable"]) })
          .meta({ description: "Whether the agent's dependencies resolve at base and at head." }),
      }),
    ),
    unaffected: z.array(
      z.strictObject({
        agent: z.string(),
        team: z.string(),
        tier,
        asset: assetId.meta({ description: "The changed asset the agent consumes." }),
        version: z.string().meta({ description: "The version the agent stays on." }),
        range: z.string().meta({ description: "The range that holds it there." }),
        reason: z.string(),
      }),
    ),
    problems: z.array(problem),
  });
}

/** The report as the core builds it: locations as data. */
export const affectedReportSchema = reportSchema(problemSchema);

/** What `blastgate affected --format json` prints: the report with each problem's display path. */
export const affectedReportJsonSchema = reportSchema(locatedProblemSchema).meta({
  title: "blastgate affected report",
  description: "What `blastgate affected --format json` prints: the changes, the blast radius, who stays pinned, and every problem.",
});

export type AffectedReport = z.infer<typeof affectedReportSchema>;
export type Change = z.infer<typeof changeSchema>;
export type ChangeFlag = (typeof changeFlags)[number];
export type Move = z.infer<typeof moveSchema>;
export type Problem = z.infer<typeof problemSchema>;
export type LocatedProblem = z.infer<typeof locatedProblemSchema>;
export type LocatedAffectedReport = z.infer<typeof affectedReportJsonSchema>;
export type Closure = z.infer<typeof closureSchema>;
