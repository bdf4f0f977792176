import semver from "semver";
import { z } from "zod";

/**
 * Free text that says something: not empty, not only whitespace, at most `max` characters (when given).
 * zod's length checks and JSON Schema's `maxLength` both count Unicode code points, so an
 * emoji is one character here, in editors, and in the Agent Skills spec alike.
 */
export function someText(max?: number) {
  return (max === undefined ? z.string() : z.string().max(max)).regex(/\S/, { message: "text that is not blank" });
}

/** Lowercase letters, digits and single hyphens: the name of a folder in the registry. */
export const kebabName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, {
    message: "a lowercase name of letters, digits and single hyphens, like `crm` or `tone-guide`",
  });

/**
 * semver.org's pattern for a SemVer 2.0.0 version, without build metadata (`+build` does
 * not order versions, so two releases could not be told apart); a regex, not a
 * refinement, so editors check it too.
 */
const semverPattern =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?$/;

/** An exact semantic version such as `2.1.0` or `3.0.0-rc.1` (the versions the semver package accepts strictly). */
export const exactVersion = z
  .string()
  .regex(semverPattern, { message: "an exact semantic version such as `2.1.0` or `3.0.0-rc.1` (no `v`, no range)" });

/** An npm-style semver range such as `^2.1.0`, `~1.0.0`, `1.4.2` or `>=2.0.0-rc.1 <3`. */
export const versionRange = z.string().refine((value) => semver.validRange(value) !== null, {
  message: "a semver range such as `^2.1.0`, `~1.0.0` or `1.4.2`",
});

/** A team slug, the same form as a GitHub team's. */
export const teamName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, { message: "a team slug such as `support-platform`" });

/** An OAuth-style scope such as `crm.cases:read`. */
export const scopeName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]*(?::[a-z0-9._-]+)?$/, { message: "a scope such as `crm.cases:read`" });

/** A model id (`claude-sonnet-5-5`), as the Anthropic API names it. */
export const modelId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]*$/, { message: "a model id such as `claude-sonnet-5-5`" });

/** A repo-relative path that stays inside the repo: no absolute paths, no backslashes, no `..`. */
export const relativePath = z
  .string()
  .regex(/^(?!\/)(?![A-Za-z]:)(?!(?:.*\/)?\.\.(?:\/|$))[^\\]+$/, {
    message: "a path inside this repo, relative to its root, without `..` (like `overlays/tone.md`)",
  });
