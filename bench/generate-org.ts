/**
 * Generates a large synthetic organisation for the benchmark, deterministically from a
 * seed: a registry git repository (history and release tags built by one
 * `git fast-import` process) with a proposed change on branch `change`, a broad one on
 * `change-broad`, and a folder of
 * agent repos (one agent.yaml each, some with a skill overlay).
 *
 * The output is cached under os.tmpdir(): a marker file records the generator version
 * and the sizes, and a later run with the same ones reuses the folder.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** Bump when the generated org changes shape, so cached orgs are regenerated. */
export const GENERATOR_VERSION = 3;

export interface OrgSpec {
  readonly agents: number;
  readonly skills: number;
  readonly servers: number;
  readonly seed: number;
}

/** What the generator made, as recorded in the marker file (relative paths only). */
export interface OrgInfo {
  readonly generator: number;
  readonly spec: OrgSpec;
  /** Release tags in the registry. */
  readonly tags: number;
  /** Registry manifests across all tags (server.yaml + SKILL.md). */
  readonly versions: { readonly servers: number; readonly skills: number };
  readonly agentsWithOverlay: number;
  readonly serversWithDependsOn: number;
  readonly skillsWithRequires: number;
  /** Bytes of all agent.yaml files. */
  readonly agentYamlBytes: number;
  readonly change: {
    readonly skill: { readonly name: string; readonly from: string; readonly to: string; readonly directConsumers: number };
    readonly server: { readonly name: string; readonly from: string; readonly to: string; readonly directConsumers: number };
  };
  /** Branch `change-broad`: a minor release (new content) of each of the most used servers and skills. */
  readonly broadChange: { readonly branch: string; readonly servers: number; readonly skills: number };
}

export interface GeneratedOrg {
  /** The folder holding `registry/` and `agents/`; the benchmark's working directory. */
  readonly root: string;
  readonly info: OrgInfo;
  readonly reused: boolean;
  /** Milliseconds spent generating (0 when reused). */
  readonly generateMs: number;
}

export const REGISTRY_DIR = "registry";
export const AGENTS_DIR = "agents";
/** The branch with the broad change: a minor release of each of the BROAD_SERVERS most used servers and BROAD_SKILLS most used skills. */
export const BROAD_BRANCH = "change-broad";
const BROAD_SERVERS = 40;
const BROAD_SKILLS = 85;
const MARKER = ".blastgate-bench-org.json";
/** Rounds of history on main; an asset's releases land in consecutive rounds. */
const ROUNDS = 6;
const EPOCH = 1_767_225_600; // 2026-01-01T00:00:00Z, fixed so object ids are reproducible.

/** Returns the org for `spec`, generating it unless a matching one is cached (or `fresh`). */
export function ensureOrg(spec: OrgSpec, fresh: boolean, log: (line: string) => void = () => {}): GeneratedOrg {
  const root = path.join(tmpdir(), `blastgate-bench-g${GENERATOR_VERSION}-${spec.agents}a-${spec.skills}s-${spec.servers}v-seed${spec.seed}`);
  const marker = path.join(root, MARKER);
  if (!fresh && existsSync(marker)) {
    try {
      const info = JSON.parse(readFileSync(marker, "utf8")) as OrgInfo;
      if (info.generator === GENERATOR_VERSION && JSON.stringify(info.spec) === JSON.stringify(spec)) {
        return { root, info, reused: true, generateMs: 0 };
      }
    } catch {
      // A damaged marker: regenerate.
    }
  }
  const started = performance.now();
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  log(`generating ${spec.agents} agents, ${spec.skills} skills, ${spec.servers} servers (seed ${spec.seed})…`);
  const info = generate(root, spec);
  // The marker goes last: a generation cut short is never reused.
  writeFileSync(marker, JSON.stringify(info, null, 2) + "\n");
  return { root, info, reused: false, generateMs: performance.now() - started };
}

// ---------------------------------------------------------------------------------------
// Randomness

type Random = () => number;

/** mulberry32: a small, fast, seedable PRNG. */
function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function helpers(random: Random) {
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const chance = (p: number) => random() < p;
  /** Picks an index in [0, n) with weight 1/(i+1)^s: a few popular items, a long tail. */
  const zipf = (n: number, s: number) => {
    const cumulative: number[] = [];
    let sum = 0;
    for (let i = 0; i < n; i++) cumulative.push((sum += 1 / Math.pow(i + 1, s)));
    return () => {
      const target = random() * sum;
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumulative[mid]! < target) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
  };
  const words = (count: number) => Array.from({ length: count }, () => pick(WORDS)).join(" ");
  const sentence = (count: number) => {
    const text = words(count);
    return text[0]!.toUpperCase() + text.slice(1) + ".";
  };
  const paragraph = (sentences: number) => Array.from({ length: sentences }, () => sentence(int(8, 16))).join(" ");
  return { int, pick, chance, zipf, words, sentence, paragraph };
}

const WORDS = (
  "account agent answer api audit billing cache case channel check claim customer data date deadline default draft " +
  "email error escalate event export field filter finance follow goal handoff history incident invoice issue key " +
  "lead limit list log metric note order owner page payment plan policy priority queue quota rate record refund " +
  "region reply report request review risk role rule schedule scope search secret service session severity " +
  "shipment signal status step summary support table task team template ticket tier token tool trace update user " +
  "value vendor version warehouse window workflow"
).split(" ");
const SERVER_STEMS = [
  "crm", "ticketing", "billing", "warehouse", "identity", "calendar", "search", "docs", "payments", "inventory",
  "shipping", "analytics", "hr", "payroll", "ads", "email", "chat", "storage", "notify", "geo",
];
const SKILL_STEMS = [
  "tone-guide", "escalation-rules", "refund-policy", "onboarding", "sql-reporting", "incident-comms", "lead-qualification",
  "triage", "handoff", "summaries", "privacy-rules", "style", "pricing", "returns", "kyc", "outage-playbook",
  "renewals", "churn-saves", "invoice-disputes", "access-requests",
];
const HEADINGS = [
  "When to use this skill", "Before you start", "Steps", "Tone", "What never to do", "Escalation", "Examples",
  "Edge cases", "Data handling", "Tools", "Presenting results", "Follow-up", "Limits", "Glossary", "Checklist",
  "Common mistakes", "Handoff to a human", "Templates",
];
const TEAMS = Array.from({ length: 40 }, (_, i) => `${["support", "sales", "ops", "finance", "data", "platform", "growth", "legal"][i % 8]}-${Math.floor(i / 8) + 1}`);
const MODELS = { default: "claude-sonnet-5-5", fast: "claude-haiku-5-5", deep: "claude-opus-5-5" } as const;
const MODEL_IDS = ["claude-sonnet-5-5", "claude-haiku-5-5", "claude-opus-5-5", "claude-haiku-4-5"];

// ---------------------------------------------------------------------------------------
// The org

interface Dep {
  readonly kind: "server" | "skill";
  readonly index: number;
  readonly range: string;
}

interface Release {
  readonly version: string;
  readonly round: number;
  readonly requires: readonly Dep[];
}

interface Asset {
  readonly kind: "server" | "skill";
  readonly index: number;
  readonly name: string;
  readonly start: number;
  /** How many releases it has (2–5). */
  readonly count: number;
  readonly owner: string;
  readonly releases: Release[];
  /** Stable per-asset content choices (headings, tools, scopes). */
  readonly headings: readonly string[];
  /** The tool contract: stable across releases, so releases are not breaking (only the PR adds a tool). */
  readonly tools: readonly { name: string; props: readonly { name: string; type: string }[]; scope: number }[];
  readonly scopes: readonly string[];
}

function nextVersion(version: string, random: Random): string {
  const [major, minor, patch] = version.split(".").map(Number) as [number, number, number];
  const roll = random();
  if (roll < 0.5) return `${major}.${minor}.${patch + 1}`;
  if (roll < 0.95) return `${major}.${minor + 1}.0`;
  return `${major + 1}.0.0`;
}

/** The release of an asset current at a round (undefined before its first release). */
function releaseAt(asset: Asset, round: number): Release | undefined {
  let found: Release | undefined;
  for (const release of asset.releases) if (release.round <= round) found = release;
  return found;
}

function generate(root: string, spec: OrgSpec): OrgInfo {
  const random = mulberry32(spec.seed);
  const { int, pick, chance, zipf, sentence, paragraph } = helpers(random);

  const makeAsset = (kind: "server" | "skill", index: number): Asset => {
    const count = int(2, 5);
    const stem = kind === "server" ? SERVER_STEMS[index % SERVER_STEMS.length]! : SKILL_STEMS[index % SKILL_STEMS.length]!;
    const name = `${stem}-${index}`;
    const scopes = Array.from({ length: int(2, 5) }, (_, i) => `${stem.replace(/-/g, ".")}.${pick(WORDS)}${i}:${pick(["read", "write", "delete"])}`);
    const headingCount = int(3, 6);
    const headings = [...new Set(Array.from({ length: headingCount }, () => pick(HEADINGS)))];
    const tools = Array.from({ length: int(3, 8) }, (_, i) => ({
      name: `${pick(["get", "list", "create", "update", "search", "close"])}_${pick(WORDS)}_${i}`,
      props: [...new Set(Array.from({ length: int(1, 4) }, () => pick(WORDS)))].map((prop) => ({ name: prop, type: pick(["string", "integer", "boolean"]) })),
      scope: int(0, scopes.length - 1),
    }));
    return { kind, index, name, start: int(0, ROUNDS - count), count, owner: pick(TEAMS), releases: [], headings, tools, scopes };
  };
  const servers = Array.from({ length: spec.servers }, (_, i) => makeAsset("server", i));
  const skills = Array.from({ length: spec.skills }, (_, i) => makeAsset("skill", i));

  const rangeOn = (dep: Asset, round: number): string | undefined => {
    const release = releaseAt(dep, round);
    if (!release) return undefined;
    return chance(0.95) ? `^${release.version}` : `>=${release.version}`;
  };
  /** Picks up to `count` lower-indexed assets that exist at `round`, favouring popular (low) indices. */
  const pickDeps = (pool: readonly Asset[], below: number, round: number, count: number): Asset[] => {
    const candidates = pool.slice(0, below).filter((asset) => asset.start <= round);
    if (candidates.length === 0 || count === 0) return [];
    const sample = zipf(candidates.length, 0.7);
    const chosen = new Set<Asset>();
    for (let tries = 0; chosen.size < Math.min(count, candidates.length) && tries < count * 8; tries++) chosen.add(candidates[sample()]!);
    return [...chosen].sort((a, b) => a.index - b.index);
  };
  /** Releases an asset round by round; its requirements follow what its deps publish. */
  const release = (asset: Asset, count: number, deps: readonly Asset[]) => {
    let version = `${int(1, 3)}.${int(0, 4)}.0`;
    let ranges = new Map<Asset, string>();
    for (let i = 0; i < count; i++) {
      const round = asset.start + i;
      if (i > 0) version = nextVersion(version, random);
      const next = new Map<Asset, string>();
      for (const dep of deps) {
        const previous = ranges.get(dep);
        // Keep the range while it still admits the dep's current major; else follow the dep.
        // An asset's last release supports its deps' latest majors (owners follow a major
        // bump of what they depend on), so most agents on latest versions are satisfiable.
        const current = releaseAt(dep, i === count - 1 ? ROUNDS - 1 : round)!.version;
        const keep = previous !== undefined && chance(0.6) && previous.replace(/^\D+/, "").split(".")[0] === current.split(".")[0];
        const range = keep ? previous : rangeOn(dep, i === count - 1 ? ROUNDS - 1 : round);
        if (range !== undefined) next.set(dep, range);
      }
      ranges = next;
      asset.releases.push({ version, round, requires: [...ranges].map(([dep, range]) => ({ kind: dep.kind, index: dep.index, range })) });
    }
  };
  // Servers first (a fifth depend on lower-numbered servers), then skills (on servers and lower-numbered skills): no cycles.
  for (const server of servers) {
    const deps = chance(0.2) ? pickDeps(servers, server.index, server.start, int(1, 2)) : [];
    release(server, server.count, deps);
  }
  for (const skill of skills) {
    // 0–3 servers; 0–2 lower-numbered skills (most skills stand alone, a few build on others).
    const roll = random();
    const skillDeps = roll < 0.6 ? 0 : roll < 0.9 ? 1 : 2;
    const deps = [...pickDeps(servers, servers.length, skill.start, int(0, 3)), ...pickDeps(skills, skill.index, skill.start, skillDeps)];
    release(skill, skill.count, deps);
  }

  // Content ------------------------------------------------------------------------------
  const depText = (dep: Dep) => `${dep.kind}:${(dep.kind === "server" ? servers : skills)[dep.index]!.name}@${dep.range}`;
  const contentRandom = (asset: Asset, version: string) => helpers(mulberry32(hash(`${spec.seed}/${asset.name}@${version}`)));

  const serverYaml = (server: Asset, rel: Release, extraTool = false): string => {
    const r = contentRandom(server, rel.version);
    const lines = [
      `name: ${server.name}`,
      `title: ${capitalise(server.name.replace(/-/g, " "))} server`,
      `description: ${r.sentence(6).slice(0, 90)}`,
      `version: ${rel.version}`,
      `owner: ${server.owner}`,
      `lifecycle: ${server.index % 17 === 5 ? "experimental" : "production"}`,
      "repository:",
      `  url: https://github.com/acme/${server.name}-mcp`,
      "  source: github",
      "packages:",
      "  - registryType: oci",
      `    identifier: ghcr.io/acme/${server.name}-mcp`,
      `    version: ${rel.version}`,
      "    runtimeHint: docker",
      "    transport:",
      "      type: stdio",
      "    environmentVariables:",
      `      - name: ${server.name.toUpperCase().replace(/-/g, "_")}_TOKEN`,
      `        description: ${r.sentence(6)}`,
      "        isRequired: true",
      "        isSecret: true",
      "scopes:",
      ...server.scopes.map((scope) => `  - ${scope}`),
      "guarantees:",
      `  availability: "99.${r.int(5, 9)}%"`,
      `  dataClassification: ${r.pick(["internal", "confidential", "restricted"])}`,
      `  rateLimit: ${r.int(1, 20) * 30}/min per agent`,
      `  support: "#${server.owner}"`,
      "tools:",
    ];
    const tools = extraTool ? [...server.tools, { name: "export_report_bench", props: [{ name: "window", type: "string" }], scope: 0 }] : server.tools;
    for (const tool of tools) {
      lines.push(`  - name: ${tool.name}`, `    description: >-`, `      ${r.sentence(12)}`, `      ${r.sentence(10)}`, "    inputSchema:", "      type: object", "      properties:");
      for (const prop of tool.props) {
        lines.push(`        ${prop.name}:`, `          type: ${prop.type}`, `          description: ${r.sentence(7)}`);
      }
      lines.push(`      required: [${tool.props[0]!.name}]`, "      additionalProperties: false", `    scopes: [${server.scopes[tool.scope]}]`);
    }
    if (rel.requires.length > 0) {
      lines.push("dependsOn:", "  servers:", ...rel.requires.map((dep) => `    ${servers[dep.index]!.name}: "${dep.range}"`));
    }
    return lines.join("\n") + "\n";
  };

  const skillMd = (skill: Asset, rel: Release, extraSection = false): string => {
    const r = contentRandom(skill, rel.version);
    const requires = rel.requires.map(depText).join(", ");
    const lines = [
      "---",
      `name: ${skill.name}`,
      "description: >-",
      `  ${r.sentence(14)}`,
      `  ${r.sentence(12)} Use when ${r.words(6)}.`,
      "license: Proprietary. Internal use at Acme only.",
      "metadata:",
      `  version: ${rel.version}`,
      `  owner: ${skill.owner}`,
      ...(requires ? [`  requires: "${requires}"`] : []),
      "---",
      `# ${capitalise(skill.name.replace(/-/g, " "))}`,
      "",
      r.paragraph(3),
    ];
    for (const heading of [...skill.headings, ...(extraSection ? ["Changes in this release"] : [])]) {
      lines.push("", `## ${heading}`, "", r.paragraph(r.int(2, 5)), "", `- ${r.sentence(8)}`, `- ${r.sentence(9)}`);
    }
    return lines.join("\n") + "\n";
  };
  const skillNotes = (skill: Asset, rel: Release): string => {
    const r = contentRandom(skill, `${rel.version}/notes`);
    return `# Notes for ${skill.name} ${rel.version}\n\n${r.paragraph(6)}\n`;
  };

  const modelsYaml = [
    "# The org's model policy.",
    `default: ${MODELS.default}`,
    "aliases:",
    `  fast: ${MODELS.fast}`,
    `  deep: ${MODELS.deep}`,
    "allowed:",
    ...MODEL_IDS.map((id) => `  - ${id}`),
    "",
  ].join("\n");

  // Agents -------------------------------------------------------------------------------
  const serverPick = zipf(spec.servers, 0.8);
  const skillPick = zipf(spec.skills, 0.85);
  const lastRound = ROUNDS - 1;
  const directConsumers = { server: new Array<number>(spec.servers).fill(0), skill: new Array<number>(spec.skills).fill(0) };
  const agentRange = (asset: Asset): string => {
    const latest = releaseAt(asset, lastRound)!;
    // Most agents track the latest release; some stay on an older one of the same major.
    const sameMajor = asset.releases.filter((rel) => rel.version.split(".")[0] === latest.version.split(".")[0]);
    const release = chance(0.85) ? latest : pick(sameMajor);
    const roll = random();
    return roll < 0.65 ? `^${release.version}` : roll < 0.9 ? `~${release.version}` : release.version;
  };
  const agentsRoot = path.join(root, AGENTS_DIR);
  mkdirSync(agentsRoot, { recursive: true });
  let agentsWithOverlay = 0;
  let agentYamlBytes = 0;
  const width = String(spec.agents).length;
  for (let i = 0; i < spec.agents; i++) {
    const name = `agent-${String(i + 1).padStart(width, "0")}`;
    const chosenServers = new Set<number>();
    for (let n = int(1, 4), tries = 0; chosenServers.size < n && tries < 40; tries++) chosenServers.add(serverPick());
    const chosenSkills = new Set<number>();
    for (let n = int(2, 6), tries = 0; chosenSkills.size < n && tries < 60; tries++) chosenSkills.add(skillPick());
    const modelRoll = random();
    const model = modelRoll < 0.55 ? "default" : modelRoll < 0.75 ? "fast" : modelRoll < 0.85 ? "deep" : pick(MODEL_IDS);
    const overlaySkill = chance(0.05) ? [...chosenSkills][0]! : undefined;
    const dir = path.join(agentsRoot, name);
    mkdirSync(dir);
    const lines = [
      `# ${name}: owned by the team below; ranges follow npm semver.`,
      `name: ${name}`,
      `description: ${sentence(10)}`,
      `team: ${pick(TEAMS)}`,
      `tier: ${pick(["production", "production", "staging", "experimental"])}`,
      `model: ${model}`,
      "servers:",
    ];
    for (const index of [...chosenServers].sort((a, b) => a - b)) {
      directConsumers.server[index]!++;
      lines.push(`  ${servers[index]!.name}: "${agentRange(servers[index]!)}"`);
    }
    lines.push("skills:");
    for (const index of [...chosenSkills].sort((a, b) => a - b)) {
      directConsumers.skill[index]!++;
      const skill = skills[index]!;
      if (index === overlaySkill) {
        lines.push(`  ${skill.name}:`, `    version: "${agentRange(skill)}"`, `    overlay: overlays/${skill.name}.md`);
        mkdirSync(path.join(dir, "overlays"));
        writeFileSync(path.join(dir, "overlays", `${skill.name}.md`), `## ${skill.headings[0]}\n\n${paragraph(3)}\n\n## Team notes\n\n${paragraph(2)}\n`);
        agentsWithOverlay++;
      } else {
        lines.push(`  ${skill.name}: "${agentRange(skill)}"`);
      }
    }
    const command = chance(0.3);
    lines.push(
      "evals:",
      "  suite: evals",
      "  runner:",
      ...(command ? ["    type: command", `    command: [python, -m, ${name.replace(/-/g, "_")}.eval_entry]`] : ["    type: builtin", `    maxTurns: ${int(4, 12)}`]),
      `  trials: ${int(2, 5)}`,
      "  thresholds:",
      `    passRate: 0.${int(80, 95)}`,
      "",
    );
    const text = lines.join("\n");
    agentYamlBytes += Buffer.byteLength(text);
    writeFileSync(path.join(dir, "agent.yaml"), text);
  }

  // The proposed change: a minor bump of a widely used skill, and a server release --------
  const rank = (counts: number[]) => counts.map((count, index) => ({ count, index })).sort((a, b) => b.count - a.count || a.index - b.index);
  const changedSkill = skills[rank(directConsumers.skill)[2]!.index]!;
  const changedServer = servers[rank(directConsumers.server)[9]!.index]!;
  const skillFrom = releaseAt(changedSkill, lastRound)!;
  const serverFrom = releaseAt(changedServer, lastRound)!;
  const bumpMinor = (version: string) => {
    const [major, minor] = version.split(".").map(Number) as [number, number];
    return `${major}.${minor + 1}.0`;
  };
  const skillTo: Release = { ...skillFrom, version: bumpMinor(skillFrom.version), round: ROUNDS };
  const serverTo: Release = { ...serverFrom, version: bumpMinor(serverFrom.version), round: ROUNDS };

  // The registry, in one fast-import stream ----------------------------------------------
  const chunks: Buffer[] = [];
  const emit = (text: string) => chunks.push(Buffer.from(text, "utf8"));
  const data = (text: string) => {
    const bytes = Buffer.from(text, "utf8");
    emit(`data ${bytes.length}\n`);
    chunks.push(bytes);
    emit("\n");
  };
  const file = (repoPath: string, text: string) => {
    emit(`M 100644 inline ${repoPath}\n`);
    data(text);
  };
  const writeServer = (server: Asset, rel: Release, extraTool = false) => file(`servers/${server.name}/server.yaml`, serverYaml(server, rel, extraTool));
  const writeSkill = (skill: Asset, rel: Release, extraSection = false) => {
    file(`skills/${skill.name}/SKILL.md`, skillMd(skill, rel, extraSection));
    file(`skills/${skill.name}/references/notes.md`, skillNotes(skill, rel));
  };
  let tags = 0;
  const all = [...servers, ...skills];
  for (let round = 0; round < ROUNDS; round++) {
    const introduced = all.flatMap((asset) => asset.releases.filter((rel) => rel.round === round).map((rel) => ({ asset, rel })));
    emit(`commit refs/heads/main\nmark :${round + 1}\ncommitter Registry Bot <registry-bot@example.invalid> ${EPOCH + round * 86_400} +0000\n`);
    data(`Release round ${round + 1}: ${introduced.length} versions\n`);
    if (round > 0) emit(`from :${round}\n`);
    if (round === 0) {
      file("models.yaml", modelsYaml);
      file("README.md", "# Acme's shared agent registry (generated for the blastgate benchmark)\n");
    }
    for (const { asset, rel } of introduced) (asset.kind === "server" ? writeServer : writeSkill)(asset, rel);
    emit("\n");
    for (const { asset, rel } of introduced) {
      emit(`reset refs/tags/${asset.kind}s/${asset.name}@${rel.version}\nfrom :${round + 1}\n\n`);
      tags++;
    }
  }
  emit(`commit refs/heads/change\nmark :${ROUNDS + 1}\ncommitter Skill Author <author@example.invalid> ${EPOCH + ROUNDS * 86_400} +0000\n`);
  data(`${changedSkill.name} ${skillTo.version}, ${changedServer.name} ${serverTo.version}\n`);
  emit(`from :${ROUNDS}\n`);
  writeSkill(changedSkill, skillTo, true);
  writeServer(changedServer, serverTo, true);
  emit("\n");
  // The broad change: a minor release of each of the most used servers and skills (most agents use one).
  const broadServers = rank(directConsumers.server).slice(0, BROAD_SERVERS).map(({ index }) => servers[index]!);
  const broadSkills = rank(directConsumers.skill).slice(0, BROAD_SKILLS).map(({ index }) => skills[index]!);
  emit(`commit refs/heads/${BROAD_BRANCH}\nmark :${ROUNDS + 2}\ncommitter Platform Team <platform@example.invalid> ${EPOCH + ROUNDS * 86_400} +0000\n`);
  data(`Minor releases of ${broadServers.length} servers and ${broadSkills.length} skills\n`);
  emit(`from :${ROUNDS}\n`);
  for (const server of broadServers) {
    const from = releaseAt(server, lastRound)!;
    writeServer(server, { ...from, version: bumpMinor(from.version), round: ROUNDS }, true);
  }
  for (const skill of broadSkills) {
    const from = releaseAt(skill, lastRound)!;
    writeSkill(skill, { ...from, version: bumpMinor(from.version), round: ROUNDS }, true);
  }
  emit("\n");

  const registry = path.join(root, REGISTRY_DIR);
  mkdirSync(registry);
  const git = (args: string[], input?: Buffer) => execFileSync("git", args, { cwd: registry, input, stdio: ["pipe", "pipe", "pipe"], maxBuffer: 64 * 1024 * 1024 });
  git(["init", "--quiet", "--initial-branch=main"]);
  git(["config", "gc.auto", "0"]);
  git(["fast-import", "--quiet"], Buffer.concat(chunks));
  git(["pack-refs", "--all"]);
  git(["checkout", "--quiet", "--force", "change"]);
  // Let the index's timestamps settle, then refresh it, so the working tree is "clean"
  // the way a user's checkout is (no racily-clean entries to re-hash on every run).
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1100);
  git(["update-index", "--really-refresh", "-q"]);
  git(["status", "--porcelain"]);

  return {
    generator: GENERATOR_VERSION,
    spec,
    tags,
    versions: {
      servers: servers.reduce((sum, server) => sum + server.releases.length, 0),
      skills: skills.reduce((sum, skill) => sum + skill.releases.length, 0),
    },
    agentsWithOverlay,
    serversWithDependsOn: servers.filter((server) => server.releases.some((rel) => rel.requires.length > 0)).length,
    skillsWithRequires: skills.filter((skill) => skill.releases.some((rel) => rel.requires.length > 0)).length,
    agentYamlBytes,
    change: {
      skill: { name: changedSkill.name, from: skillFrom.version, to: skillTo.version, directConsumers: directConsumers.skill[changedSkill.index]! },
      server: { name: changedServer.name, from: serverFrom.version, to: serverTo.version, directConsumers: directConsumers.server[changedServer.index]! },
    },
    broadChange: { branch: BROAD_BRANCH, servers: broadServers.length, skills: broadSkills.length },
  };
}

function capitalise(text: string): string {
  return text[0]!.toUpperCase() + text.slice(1);
}

/** FNV-1a, to seed per-version content from its name. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
