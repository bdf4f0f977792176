/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): the functions with the most self time
 * and the most total (inclusive) time, as a share of the sampled time.
 *
 *   scripts/node24 node --cpu-prof --cpu-prof-dir=.prof bench/blast-radius.bench.ts --only a --no-write
 *   scripts/node24 node bench/profile-summary.ts .prof/<file>.cpuprofile [--top 25] [--under computeBlastRadius]
 *
 * `--under <name>` restricts the summary to samples whose stack contains that function,
 * and reports shares relative to it. `--lines` adds the hottest source lines (self ticks).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
  readonly positionTicks?: readonly { readonly line: number; readonly ticks: number }[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: "string", default: "25" }, under: { type: "string" }, lines: { type: "boolean", default: false } },
});
const file = positionals[0];
if (!file) {
  process.stderr.write("usage: profile-summary.ts <file.cpuprofile> [--top N] [--under functionName]\n");
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const top = Number(values.top);

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const label = (frame: CallFrame) => {
  const name = frame.functionName || "(anonymous)";
  if (!frame.url) return name;
  const where = frame.url.replace(/^file:\/\//, "");
  const short = where.includes("node_modules/") ? where.slice(where.lastIndexOf("node_modules/") + 13) : path.relative(process.cwd(), where);
  return `${name}  ${short}:${frame.lineNumber + 1}`;
};

const self = new Map<string, number>();
const total = new Map<string, number>();
let all = 0;
profile.samples.forEach((sampleId, index) => {
  const delta = profile.timeDeltas[index] ?? 0;
  const stack: CallFrame[] = [];
  for (let id: number | undefined = sampleId; id !== undefined; id = parent.get(id)) stack.push(byId.get(id)!.callFrame);
  if (values.under && !stack.some((frame) => frame.functionName === values.under)) return;
  const leaf = stack[0]!;
  all += delta;
  self.set(label(leaf), (self.get(label(leaf)) ?? 0) + delta);
  for (const key of new Set(stack.map(label))) total.set(key, (total.get(key) ?? 0) + delta);
});

const print = (title: string, table: Map<string, number>) => {
  console.log(`\n${title} (of ${(all / 1000).toFixed(0)} ms sampled${values.under ? ` under ${values.under}` : ""}):`);
  for (const [key, micros] of [...table].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${((100 * micros) / all).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(0).padStart(6)} ms  ${key}`);
  }
};
print("self time", self);
print("total time", total);

if (values.lines) {
  // positionTicks count self samples per source line; ticks are samples, not microseconds.
  const counted = new Set(profile.samples);
  const lines = new Map<string, number>();
  let ticks = 0;
  for (const node of profile.nodes) {
    if (!counted.has(node.id) || !node.callFrame.url) continue;
    if (values.under) {
      let inside = false;
      for (let id: number | undefined = node.id; id !== undefined && !inside; id = parent.get(id)) inside = byId.get(id)!.callFrame.functionName === values.under;
      if (!inside) continue;
    }
    const where = label(node.callFrame).split("  ")[1]!.replace(/:\d+$/, "");
    for (const { line, ticks: count } of node.positionTicks ?? []) {
      const key = `${where}:${line}  (${node.callFrame.functionName || "(anonymous)"})`;
      lines.set(key, (lines.get(key) ?? 0) + count);
      ticks += count;
    }
  }
  console.log(`\nhottest lines (share of ${ticks} self ticks in user and library code):`);
  for (const [key, count] of [...lines].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((100 * count) / ticks).toFixed(1).padStart(5)}%  ${key}`);
}
