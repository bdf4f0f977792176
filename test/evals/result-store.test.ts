import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type Anthropic from "@anthropic-ai/sdk";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { trialKey } from "../../app/core/evals/trial-key.ts";
import { sha256Hex } from "../../app/evals/hash.ts";
import {
  defaultEvalCacheDir,
  entryPath,
  NotRecordedError,
  openResultStore,
  type StoreMode,
  type StoreWarning,
} from "../../app/evals/result-store.ts";
import { FileAccessError } from "../../app/load/file-access-error.ts";
import { agentUnderTest, evalCase, transcript } from "../helpers/agent-under-test.ts";

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "blastgate-store-"));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const ref = { caseId: "refund-policy", trial: 0 };
const key = trialKey(agentUnderTest(), evalCase(), 0, sha256Hex);
const otherKey = trialKey(agentUnderTest(), evalCase(), 1, sha256Hex);

const judgement: Anthropic.Message = {
  id: "msg_1",
  type: "message",
  role: "assistant",
  model: "claude-haiku-4-5",
  content: [{ type: "text", text: '{"score": 0.8, "reason": "polite"}', citations: null }],
  stop_reason: "end_turn",
  stop_sequence: null,
  stop_details: null,
  container: null,
  diagnostics: null,
  usage: { input_tokens: 300, output_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, server_tool_use: null, service_tier: "standard", cache_creation: null, inference_geo: null },
} as Anthropic.Message;

/** Every file under `dir`, relative to it, sorted. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

function open(mode: StoreMode) {
  const warnings: StoreWarning[] = [];
  const store = openResultStore(mode, { onWarning: (warning) => warnings.push(warning) });
  return { store, warnings };
}

describe("the result store in cache mode", () => {
  it("serves a kept transcript under its key, at <dir>/transcripts/<ab>/<key>.json, and misses other keys", async () => {
    const dir = path.join(root, "cache");
    const { store } = open({ kind: "cache", dir });
    expect(await store.readTranscript(key, ref)).toBeUndefined();
    expect(await store.writeTranscript(key, ref, transcript())).toBe(true);
    expect(filesUnder(dir)).toEqual([path.join("transcripts", key.slice(0, 2), `${key}.json`)]);

    const { store: next } = open({ kind: "cache", dir });
    expect(await next.readTranscript(key, ref)).toEqual(transcript());
    expect(await next.readTranscript(otherKey, { ...ref, trial: 1 })).toBeUndefined();
  });

  it("keeps judges' answers apart from transcripts, under judgements/", async () => {
    const dir = path.join(root, "cache");
    const { store } = open({ kind: "cache", dir });
    const judge = sha256Hex("a judge request");
    expect(await store.writeJudgement(judge, ref, judgement)).toBe(true);
    expect(await store.readJudgement(judge, ref)).toEqual(judgement);
    expect(await store.readTranscript(judge, ref)).toBeUndefined();
    expect(filesUnder(dir)).toEqual([path.join("judgements", judge.slice(0, 2), `${judge}.json`)]);
  });

  it.each(["error", "timeout"] as const)("never keeps a transcript that stopped with %s, so a passing failure is not served forever", async (stop) => {
    const dir = path.join(root, "cache");
    const { store } = open({ kind: "cache", dir });
    expect(await store.writeTranscript(key, ref, transcript({ stop, error: "overloaded" }))).toBe(false);
    expect(filesUnder(dir)).toEqual([]);
    expect(await store.readTranscript(key, ref)).toBeUndefined();
  });

  it("keeps a transcript stopped at the turn cap: that is the agent's doing, not a failure", async () => {
    const { store } = open({ kind: "cache", dir: path.join(root, "cache") });
    expect(await store.writeTranscript(key, ref, transcript({ stop: "max-turns" }))).toBe(true);
    expect((await store.readTranscript(key, ref))?.stop).toBe("max-turns");
  });

  it.each<[string, (file: string) => void, string]>([
    ["half a file", (file) => writeFileSync(file, readFileSync(file, "utf8").slice(0, 100)), "not JSON"],
    ["another format", (file) => writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, "utf8")), format: 0 })), "not format 1"],
    ["a transcript the schema refuses", (file) => writeFileSync(file, readFileSync(file, "utf8").replace('"stop": "end"', '"stop": "finished"')), "`transcript.stop`"],
    ["another key's entry", (file) => writeFileSync(file, readFileSync(file, "utf8").replace(key, otherKey)), "another key's entry"],
  ])("treats %s as a miss, says so once, and mends it on the next write", async (_what, damage, reason) => {
    const dir = path.join(root, "cache");
    const { store, warnings } = open({ kind: "cache", dir });
    await store.writeTranscript(key, ref, transcript());
    const file = entryPath(dir, "transcripts", key);
    damage(file);

    expect(await store.readTranscript(key, ref)).toBeUndefined();
    expect(await store.readTranscript(key, ref)).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.file).toBe(file);
    expect(warnings[0]!.message).toContain(reason);
    expect(warnings[0]!.message).toMatch(/^.*: ignored an unreadable transcript entry \(.+\)$/);

    expect(await store.writeTranscript(key, ref, transcript())).toBe(true);
    expect(await store.readTranscript(key, ref)).toEqual(transcript());
  });

  it("treats a folder where an entry should be as a miss, says so once, and keeps no results when it cannot replace it", async () => {
    const dir = path.join(root, "cache");
    const file = entryPath(dir, "transcripts", key);
    mkdirSync(file, { recursive: true });
    const { store, warnings } = open({ kind: "cache", dir });
    expect(await store.readTranscript(key, ref)).toBeUndefined();
    expect(await store.readTranscript(key, ref)).toBeUndefined();
    expect(await store.writeTranscript(key, ref, transcript())).toBe(false);
    expect(warnings.map((warning) => warning.message)).toEqual([
      `${file}: ignored an unreadable transcript entry (illegal operation on a directory)`,
      expect.stringMatching(/^cannot write .*: (illegal operation on a directory|is a directory)/),
    ]);
  });

  it("leaves no temporary files, and many writers of one key at once leave one whole entry that every reader sees whole or not at all", async () => {
    const dir = path.join(root, "cache");
    const writers = Array.from({ length: 20 }, (_, index) => open({ kind: "cache", dir }).store.writeTranscript(key, ref, transcript({ latencyMs: index })));
    const reader = open({ kind: "cache", dir });
    const reads = Array.from({ length: 40 }, () => reader.store.readTranscript(key, ref));
    expect(await Promise.all(writers)).toEqual(Array(20).fill(true));
    for (const read of await Promise.all(reads)) if (read !== undefined) expect(read.output).toBe(transcript().output);
    expect(reader.warnings).toEqual([]);
    expect(filesUnder(dir)).toEqual([path.join("transcripts", key.slice(0, 2), `${key}.json`)]);
  });

  it("ignores a temporary file a crashed writer left behind", async () => {
    const dir = path.join(root, "cache");
    const file = entryPath(dir, "transcripts", key);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(`${file}.0000.tmp`, '{"format": 1, "key": "');
    const { store, warnings } = open({ kind: "cache", dir });
    expect(await store.readTranscript(key, ref)).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it("goes on when the folder cannot be written: the first failure is reported once, the run keeps its results", async () => {
    const dir = path.join(root, "cache");
    mkdirSync(dir);
    writeFileSync(path.join(dir, "transcripts"), "a file where a folder should be");
    const { store, warnings } = open({ kind: "cache", dir, shownAs: "my-cache" });
    expect(await store.writeTranscript(key, ref, transcript())).toBe(false);
    expect(await store.writeTranscript(otherKey, { ...ref, trial: 1 }, transcript())).toBe(false);
    expect(await store.writeJudgement(sha256Hex("judge"), ref, judgement)).toBe(false);
    expect(warnings).toEqual([
      { file: "my-cache", message: `cannot write ${path.join("my-cache", "transcripts", key.slice(0, 2), `${key}.json`)}: not a directory; the eval cache keeps nothing more from this run` },
    ]);
  });
});

describe("the result store in no-cache mode", () => {
  it("reads nothing and writes nothing", async () => {
    const dir = path.join(root, "cache");
    await open({ kind: "cache", dir }).store.writeTranscript(key, ref, transcript());
    const { store } = open({ kind: "no-cache" });
    expect(await store.readTranscript(key, ref)).toBeUndefined();
    expect(await store.writeTranscript(otherKey, ref, transcript())).toBe(false);
    expect(await store.writeJudgement(sha256Hex("judge"), ref, judgement)).toBe(false);
    expect(filesUnder(dir)).toHaveLength(1);
  });
});

describe("the result store in record mode", () => {
  it("reads nothing, so every trial runs live, and writes each one to the cassette", async () => {
    const dir = path.join(root, "cassette");
    const { store: first } = open({ kind: "record", dir });
    await first.writeTranscript(key, ref, transcript({ output: "first recording" }));
    const { store } = open({ kind: "record", dir });
    expect(await store.readTranscript(key, ref)).toBeUndefined();
    expect(await store.readJudgement(key, ref)).toBeUndefined();
    expect(await store.writeTranscript(key, ref, transcript({ output: "second recording" }))).toBe(true);
    expect(await open({ kind: "replay", dir }).store.readTranscript(key, ref)).toEqual(transcript({ output: "second recording" }));
  });

  it("writes deterministic, diff-friendly files: sorted keys, two-space indent, a newline at the end, the same bytes every time", async () => {
    const one = path.join(root, "one");
    const two = path.join(root, "two");
    await open({ kind: "record", dir: one }).store.writeTranscript(key, ref, transcript());
    // The same transcript built with its keys in another order.
    const shuffled = Object.fromEntries(Object.entries(transcript()).reverse()) as ReturnType<typeof transcript>;
    await open({ kind: "record", dir: two }).store.writeTranscript(key, ref, shuffled);
    const text = readFileSync(entryPath(one, "transcripts", key), "utf8");
    expect(readFileSync(entryPath(two, "transcripts", key), "utf8")).toBe(text);
    expect(text.endsWith("}\n")).toBe(true);
    expect(text.split("\n").slice(0, 6)).toEqual(["{", '  "case": "refund-policy",', '  "format": 1,', `  "key": "${key}",`, '  "transcript": {', '    "latencyMs": 900,']);
    expect(text).toContain('\n  "trial": 0\n}\n');
  });

  it("does not record a failed trial", async () => {
    const dir = path.join(root, "cassette");
    const { store } = open({ kind: "record", dir });
    expect(await store.writeTranscript(key, ref, transcript({ stop: "error", error: "529 overloaded" }))).toBe(false);
    expect(filesUnder(dir)).toEqual([]);
  });

  it("fails loudly when the cassette cannot be written, naming the file as the user typed the folder", async () => {
    const dir = path.join(root, "cassette");
    writeFileSync(dir, "not a folder");
    const { store } = open({ kind: "record", dir, shownAs: "evals/cassette" });
    const failure = await store.writeTranscript(key, ref, transcript()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(FileAccessError);
    expect((failure as Error).message).toBe(`cannot write ${path.join("evals/cassette", "transcripts", key.slice(0, 2), `${key}.json`)}: not a directory`);
  });
});

describe("the result store in replay mode", () => {
  it("serves what was recorded and never writes", async () => {
    const dir = path.join(root, "cassette");
    await open({ kind: "record", dir }).store.writeTranscript(key, ref, transcript());
    await open({ kind: "record", dir }).store.writeJudgement(sha256Hex("judge"), ref, judgement);
    const before = filesUnder(dir);
    const { store } = open({ kind: "replay", dir });
    expect(await store.readTranscript(key, ref)).toEqual(transcript());
    expect(await store.readJudgement(sha256Hex("judge"), ref)).toEqual(judgement);
    expect(await store.writeTranscript(otherKey, { ...ref, trial: 1 }, transcript())).toBe(false);
    expect(filesUnder(dir)).toEqual(before);
  });

  it("fails a trial it does not hold with an error naming the case and trial and how to re-record", async () => {
    const dir = path.join(root, "cassette");
    const { store } = open({ kind: "replay", dir, shownAs: "evals/cassette" });
    const failure = await store.readTranscript(otherKey, { caseId: "refund-policy", trial: 1 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(NotRecordedError);
    expect(failure).toMatchObject({ entry: "transcripts", key: otherKey, ref: { caseId: "refund-policy", trial: 1 }, dir: "evals/cassette" });
    expect((failure as Error).message).toBe(
      "evals/cassette: no recorded transcript for case `refund-policy` trial 1: the agent, its resolved assets or model, " +
        `or the case's input or mocks changed since it was recorded. Re-record with \`--record evals/cassette\` (key ${otherKey}).`,
    );
    const judge = await store.readJudgement(key, ref).catch((error: unknown) => error);
    expect((judge as Error).message).toContain("no recorded judge's answer for case `refund-policy` trial 0");
  });

  it("fails a trial whose entry is damaged, saying it is unreadable, and warns once", async () => {
    const dir = path.join(root, "cassette");
    await open({ kind: "record", dir }).store.writeTranscript(key, ref, transcript());
    writeFileSync(entryPath(dir, "transcripts", key), "{");
    const { store, warnings } = open({ kind: "replay", dir });
    await expect(store.readTranscript(key, ref)).rejects.toThrow("its entry is unreadable (not JSON). Re-record with");
    await expect(store.readTranscript(key, ref)).rejects.toThrow(NotRecordedError);
    expect(warnings).toHaveLength(1);
  });
});

describe("defaultEvalCacheDir", () => {
  it.each([
    [{ BLASTGATE_CACHE_DIR: "/c/bg", XDG_CACHE_HOME: "/x" }, "/c/bg/evals"],
    [{ XDG_CACHE_HOME: "/x" }, "/x/blastgate/evals"],
    [{ BLASTGATE_CACHE_DIR: "", XDG_CACHE_HOME: "" }, "/home/me/.cache/blastgate/evals"],
    [{}, "/home/me/.cache/blastgate/evals"],
  ])("puts the eval cache in the evals folder of the blastgate cache (%j)", (env, dir) => {
    expect(defaultEvalCacheDir(env, "/home/me")).toBe(dir);
  });
});

describe("entryPath", () => {
  it.each(["../../etc/passwd", "ABCDEF0123456789", "abc", ""])("refuses %j, which no hash makes", (bad) => {
    expect(() => entryPath(root, "transcripts", bad)).toThrow(RangeError);
  });
});
