import { z } from "zod";
import { kebabName, modelId } from "./common.ts";

/** `models.yaml` at the registry root: the default model, aliases, and what is allowed. */
export const modelsConfigSchema = z
  .strictObject({
    default: modelId.meta({ description: "The model every agent with `model: default` resolves to." }),
    aliases: z
      .record(kebabName, modelId)
      .default({})
      .meta({ description: "Named aliases agents may use instead of a model id, e.g. `fast: claude-haiku-5-5`." }),
    allowed: z
      .array(modelId)
      .optional()
      .meta({ description: "When set, the only model ids agents may resolve to." }),
    deprecated: z
      .record(
        modelId,
        z.strictObject({
          retires: z.iso.date().meta({ description: "The day the model stops serving (YYYY-MM-DD)." }),
          replacement: modelId.meta({ description: "The model to move to." }),
        }),
      )
      .default({})
      .meta({ description: "Models being retired: model id → retirement date and replacement." }),
  })
  .meta({ title: "blastgate models (models.yaml)", description: "The organisation's default model, aliases and model policy." });

export type ModelsConfig = z.infer<typeof modelsConfigSchema>;
