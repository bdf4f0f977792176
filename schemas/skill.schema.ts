import { z } from "zod";
import { exactVersion, someText, teamName } from "./common.ts";

/** One entry of `metadata.requires`: `server:crm@^2.1.0` or `skill:tone-guide@^1.0.0`. */
export const requirementPattern = /^(server|skill):([a-z0-9]+(?:-[a-z0-9]+)*)@(.+)$/;

/**
 * SKILL.md frontmatter, per the Agent Skills specification (name, description, license,
 * compatibility, allowed-tools, metadata), with the org's fields in `metadata`.
 */
export const skillFrontmatterSchema = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, {
        message: "lowercase letters, digits and single hyphens, at most 64 characters, not starting or ending with `-`",
      })
      .meta({ description: "The skill's name; equals its folder under skills/." }),
    description: someText(1024)
      .meta({ description: "What the skill does and when to use it (at most 1024 characters)." }),
    license: z.string().optional().meta({ description: "A license name or a bundled license file." }),
    compatibility: someText(500).optional().meta({ description: "Environment requirements, at most 500 characters." }),
    "allowed-tools": z.string().optional().meta({ description: "Space-separated tools the skill may use." }),
    metadata: z
      .strictObject({
        version: exactVersion.meta({ description: "This release's exact semver version; published as tag `skills/<name>@<version>`." }),
        owner: teamName.meta({ description: "The owning team." }),
        requires: z
          .string()
          .optional()
          .meta({
            description:
              "What the skill needs, as a comma list of `server:<name>@<range>` and `skill:<name>@<range>`, e.g. `server:crm@^2.1.0, skill:tone-guide@^1.0.0`.",
          }),
      })
      .catchall(z.string())
      .meta({
        description: "The Agent Skills string map, holding the org's `version`, `owner` and `requires`.",
        examples: [{ version: "1.0.0", owner: "support-platform" }],
      }),
  })
  .meta({
    title: "blastgate shared skill (SKILL.md frontmatter)",
    description: "The YAML frontmatter of a shared skill's SKILL.md, per the Agent Skills specification.",
  });

export type SkillFrontmatter = z.infer<typeof skillFrontmatterSchema>;
