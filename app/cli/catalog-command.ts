import type { CliIo } from "./main.ts";

/** Placeholder until the catalog lands: reports that the command is not built yet. */
export async function runCatalog(_options: { registry: string; agents: string[]; ref: string; out: string; today: string }, io: CliIo): Promise<number> {
  io.stderr("blastgate catalog: not built yet\n");
  return 2;
}
