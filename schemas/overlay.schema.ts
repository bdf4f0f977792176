import { z } from "zod";
import { kebabName, someText } from "./common.ts";

/** Optional YAML frontmatter of a skill overlay (a markdown file in an agent repo). */
export const overlayFrontmatterSchema = z
  .strictObject({
    skill: kebabName.optional().meta({ description: "The shared skill this overlay layers on; must match the key in agent.yaml." }),
    description: someText(1024).optional().meta({ description: "Why this team overlays the shared skill." }),
    replaces: z
      .array(z.string().min(1))
      .optional()
      .meta({
        description:
          "Headings of the shared skill this overlay means to replace. When set, a listed heading missing from the shared skill is reported, even if it never existed.",
      }),
  })
  .meta({
    title: "blastgate skill overlay (frontmatter)",
    description: "An agent team's overlay on a shared skill: `## Heading` sections replace the skill's sections of the same heading; others are appended.",
  });

export type OverlayFrontmatter = z.infer<typeof overlayFrontmatterSchema>;
