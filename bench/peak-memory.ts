/**
 * Runs one `blastgate affected` in this process and prints the process's peak resident
 * memory (KiB) as the last line: the bench spawns it once per mode, so each figure is a
 * whole process's peak, as a user's run would have it.
 *
 *   node bench/peak-memory.ts <org root> <head> [<cache dir>]
 */
import { main } from "../app/cli/main.ts";

const [root, head, cacheDir] = process.argv.slice(2);
if (!root || !head) throw new Error("usage: node bench/peak-memory.ts <org root> <head> [<cache dir>]");
const code = await main(["affected", "--registry", "registry", "--agents", "agents", "--base", "main", "--head", head, "--format", "json"], {
  stdout: () => undefined,
  stderr: (text) => process.stderr.write(text),
  cwd: root,
  today: "2026-05-01",
  cache: cacheDir ? { dir: cacheDir, codeId: "bench" } : null,
});
if (code === 2) process.exitCode = 2;
console.log(process.resourceUsage().maxRSS);
