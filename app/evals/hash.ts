import { createHash } from "node:crypto";
import type { Hash } from "../core/evals/trial-key.ts";

/** sha256 of the text's UTF-8 bytes, as 64 lowercase hex digits: the `Hash` the eval shells give the core. */
export const sha256Hex: Hash = (text) => createHash("sha256").update(text, "utf8").digest("hex");
