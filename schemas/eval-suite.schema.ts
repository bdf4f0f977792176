import { z } from "zod";
import { kebabName, someText } from "./common.ts";

/** `server.tool` as a suite names a tool: the shared server's name, a dot, the tool's name. */
export const toolKey = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*\.[A-Za-z0-9_.-]{1,128}$/, { message: "a tool as `server.tool`, like `crm.get_account`" });

const jsonValue = z.json().meta({ description: "Any JSON value." });

/** One way a mocked tool answers: when its input matches `when` (every key given, deeply), it returns `returns` or fails with `error`. */
const mockRule = z
  .strictObject({
    when: z
      .record(z.string(), jsonValue)
      .optional()
      .meta({ description: "Input fields this rule matches (a subset, compared deeply). Without it, the rule matches any input." }),
    returns: jsonValue.optional().meta({ description: "What the tool returns: text as is, anything else as JSON." }),
    error: someText().optional().meta({ description: "Fail the call with this message (an MCP tool result with `isError: true`)." }),
  })
  .refine((rule) => (rule.returns === undefined) !== (rule.error === undefined), {
    message: "exactly one of `returns` or `error`",
  });

const mock = z.union([mockRule, z.array(mockRule).min(1)], {
  error: "a mock rule `{when?, returns | error}` or a list of them (the first that matches answers)",
});

const weight = z.number().min(0).default(1).meta({ description: "How much this assertion counts towards the case's score." });
const note = z.string().optional().meta({ description: "What the assertion checks, shown when it fails." });

/** Assertion fields by type; each type also exists negated as `not-<type>`. */
const assertionFields = {
  equals: { value: jsonValue.meta({ description: "The whole output, trimmed (text), or its JSON value (anything else)." }) },
  contains: { value: z.string().min(1) },
  icontains: { value: z.string().min(1).meta({ description: "Contained, ignoring case." }) },
  regex: {
    value: z.string().min(1).meta({ description: "A JavaScript regular expression the output matches." }),
    flags: z.string().regex(/^[dgimsuvy]*$/, { message: "regular expression flags such as `i` or `ms`" }).optional(),
  },
  "json-schema": { value: z.record(z.string(), jsonValue).meta({ description: "A JSON Schema the output, parsed as JSON, meets." }) },
  "tool-called": {
    tool: toolKey,
    args: z.record(z.string(), jsonValue).optional().meta({ description: "Input fields one call must have (a subset, compared deeply)." }),
    times: z.int().min(1).optional().meta({ description: "Exactly this many matching calls." }),
  },
  "tool-not-called": {
    tool: toolKey,
    args: z.record(z.string(), jsonValue).optional().meta({ description: "Only calls with these input fields count." }),
  },
  "tool-sequence": {
    tools: z.array(toolKey).min(2).meta({ description: "Tools called in this order (other calls may come between, unless `strict`)." }),
    strict: z.boolean().default(false).meta({ description: "No other tool calls between or around them." }),
  },
  "max-tool-calls": {
    value: z.int().min(0),
    tool: toolKey.optional().meta({ description: "Count only this tool's calls." }),
  },
  "max-cost-usd": { value: z.number().min(0) },
  "max-latency-ms": { value: z.number().min(0).meta({ description: "Wall time of the whole trial." }) },
  rubric: {
    value: someText().meta({ description: "What a good answer does, judged by Claude against the output and the tool calls." }),
    model: z.string().optional().meta({ description: "The judge model; default: the suite's `judge.model`." }),
  },
} as const;

export type AssertionType = keyof typeof assertionFields;
export const ASSERTION_TYPES = Object.keys(assertionFields) as AssertionType[];

function assertionVariant<T extends AssertionType>(type: T, negated: boolean) {
  const name = negated ? (`not-${type}` as const) : type;
  return z.strictObject({ type: z.literal(name), ...assertionFields[type], weight, description: note }).meta({ title: name });
}

export const assertionSchema = z.discriminatedUnion(
  "type",
  // Built from the table so every type has its negation; the tuple type keeps zod's inference.
  ASSERTION_TYPES.flatMap((type) => [assertionVariant(type, false), assertionVariant(type, true)]) as unknown as [
    ReturnType<typeof assertionVariant<AssertionType>>,
    ...ReturnType<typeof assertionVariant<AssertionType>>[],
  ],
);
export type Assertion = z.infer<typeof assertionSchema>;

const turn = z.strictObject({
  role: z.enum(["user", "assistant"]),
  content: someText(),
});

const caseSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, { message: "an id of letters, digits, `_`, `.` or `-`, like `refund-950`" })
    .meta({ description: "Unique in the suite; results and comparisons pair trials by it." }),
  description: z.string().optional(),
  input: z
    .union([someText(), z.array(turn).min(1)], { error: "a message, or a list of `{role, content}` turns ending with the user's" })
    .refine((input) => typeof input === "string" || input.at(-1)!.role === "user", { message: "turns that end with a `user` turn" })
    .meta({ description: "The user's message, or the conversation so far." }),
  tags: z.array(kebabName).default([]).meta({ description: "Labels such as `failure-case` or `negative` (a case where the agent must not act)." }),
  trials: z.int().min(1).max(100).optional().meta({ description: "Trials of this case; default: the suite's, then agent.yaml's `evals.trials`." }),
  threshold: z.number().min(0).max(1).optional().meta({ description: "Share of assertion weight a trial needs to pass; default 1 (all)." }),
  mocks: z.record(toolKey, mock).default({}).meta({ description: "Tool answers for this case, by `server.tool`; they override the suite's." }),
  assert: z.array(assertionSchema).default([]),
});
export type EvalCaseInput = z.infer<typeof caseSchema>;

/** A live MCP server the builtin runner connects to for tools no mock answers. */
const liveServer = z.union([
  z.strictObject({
    command: z.array(z.string().min(1)).min(1).meta({ description: "Program and arguments of a stdio MCP server, run without a shell, from the agent repo's root." }),
    env: z.record(z.string(), z.string()).default({}),
  }),
  z.strictObject({ url: z.url().meta({ description: "A Streamable HTTP MCP endpoint." }) }),
]);

/** One YAML file in an agent's `evals.suite` folder. */
export const evalSuiteFileSchema = z
  .strictObject({
    defaults: z
      .strictObject({
        trials: z.int().min(1).max(100).optional(),
        threshold: z.number().min(0).max(1).optional(),
        tags: z.array(kebabName).optional().meta({ description: "Tags every case of this file gets." }),
        mocks: z.record(toolKey, mock).optional().meta({ description: "Tool answers every case of this file starts from." }),
        assert: z.array(assertionSchema).optional().meta({ description: "Assertions every case of this file also makes." }),
      })
      .prefault({})
      .meta({ description: "Settings every case of this file starts from." }),
    servers: z
      .record(kebabName, liveServer)
      .default({})
      .meta({ description: "Servers to call live over MCP for tools no mock answers (builtin runner)." }),
    judge: z
      .strictObject({ model: z.string().optional().meta({ description: "The model that grades `rubric` assertions; default: the agent's model." }) })
      .prefault({}),
    cases: z.array(caseSchema).min(1),
  })
  .meta({
    title: "blastgate eval suite file",
    description: "Eval cases of one agent: input, hermetic tool mocks and assertions.",
  });
export type EvalSuiteFile = z.infer<typeof evalSuiteFileSchema>;

/** `evals/evals.json` in a skill folder, as the Agent Skills skill-creator writes it. */
export const skillEvalsSchema = z
  .looseObject({
    skill_name: z.string().optional(),
    evals: z
      .array(
        z.looseObject({
          id: z.union([z.int(), z.string()]),
          prompt: someText(),
          expected_output: z.string().optional(),
          files: z.array(z.string()).default([]),
          assertions: z
            .array(z.union([z.string(), z.looseObject({ text: z.string() })]))
            .default([])
            .meta({ description: "Verifiable statements about a good answer (skill-creator's SKILL.md calls them assertions)." }),
          expectations: z
            .array(z.union([z.string(), z.looseObject({ text: z.string() })]))
            .default([])
            .meta({ description: "The same, under the name skill-creator's references/schemas.md gives them." }),
        }),
      )
      .min(1),
  })
  .meta({ title: "Agent Skills evals.json", description: "A skill's own eval cases, graded by the rubric judge." });
export type SkillEvals = z.infer<typeof skillEvalsSchema>;
