// Paid work kept on disk by content address (app/core/evals/trial-key.ts): transcripts of
// trials and judges' answers. The same store is the local cache (`cache`), a cassette a
// team commits and replays in CI without an API key (`record DIR`, `replay DIR`), or
// nothing (`no-cache`). Layout and rules: docs/evals-cache.md.
import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type Anthropic from "@anthropic-ai/sdk";
import { transcriptSchema, type Transcript } from "../../schemas/transcript.schema.ts";
import { canonicalJson } from "../core/evals/canonical-json.ts";
import { FileAccessError } from "../load/file-access-error.ts";

/** Bumped when an entry file's shape changes; entries of another format are misses. */
export const STORE_FORMAT = 1;

/**
 * Where results come from and go to:
 * - `cache`: read and write `dir` (the local cache, `defaultEvalCacheDir`);
 * - `no-cache`: neither; every trial is run and paid for;
 * - `record`: run every trial live and write it to `dir`, reading nothing from it;
 * - `replay`: read `dir` only; a trial it does not hold is an error (`NotRecordedError`).
 *
 * `shownAs` is the folder as the user typed it, for messages (default: `dir`).
 */
export type StoreMode =
  | { readonly kind: "cache"; readonly dir: string; readonly shownAs?: string }
  | { readonly kind: "no-cache" }
  | { readonly kind: "record"; readonly dir: string; readonly shownAs?: string }
  | { readonly kind: "replay"; readonly dir: string; readonly shownAs?: string };

/** The two kinds of entry, each a folder of the store. */
export type EntryKind = "transcripts" | "judgements";

/** Which trial a lookup is for, to say so when it fails (and written in the entry, for people reading a cassette). */
export interface TrialRef {
  readonly caseId: string;
  readonly trial: number;
}

/** A judge's answer as the Messages API gave it: the grader reads its verdict from it again on every run. */
export type Judgement = Anthropic.Message;

/** Something the store could not use or keep; the run goes on without it. */
export interface StoreWarning {
  readonly file: string;
  readonly message: string;
}

/** A replayed run asked for a trial (or a judgement) the cassette does not hold. */
export class NotRecordedError extends Error {
  readonly entry: EntryKind;
  readonly key: string;
  readonly ref: TrialRef;
  readonly dir: string;
  constructor(entry: EntryKind, key: string, ref: TrialRef, shownDir: string, unreadable?: string) {
    const what = entry === "transcripts" ? "transcript" : "judge's answer";
    const why = unreadable
      ? `its entry is unreadable (${unreadable})`
      : "the agent, its resolved assets or model, or the case's input or mocks changed since it was recorded";
    super(
      `${shownDir}: no recorded ${what} for case \`${ref.caseId}\` trial ${ref.trial}: ${why}. ` +
        `Re-record with \`--record ${shownDir}\` (key ${key}).`,
    );
    this.name = "NotRecordedError";
    this.entry = entry;
    this.key = key;
    this.ref = ref;
    this.dir = shownDir;
  }
}

export interface ResultStore {
  readonly mode: StoreMode;
  /**
   * The transcript stored under `key`, or undefined: a miss, and in `cache` mode also an
   * unreadable entry (reported once through `onWarning`). In `replay` mode a miss throws
   * `NotRecordedError` naming the case and trial.
   */
  readTranscript(key: string, ref: TrialRef): Promise<Transcript | undefined>;
  /**
   * Keeps a transcript under `key`; whether it was written. Never written: in `no-cache`
   * and `replay` mode, and a transcript that stopped with `error` or `timeout` (a failure
   * that may be transient must not be served forever). In `cache` mode a failed write is
   * reported once and the store stops writing; in `record` mode it throws `FileAccessError`.
   */
  writeTranscript(key: string, ref: TrialRef, transcript: Transcript): Promise<boolean>;
  /** As `readTranscript`, for a judge's answer stored under a `judgeKey`. */
  readJudgement(key: string, ref: TrialRef): Promise<Judgement | undefined>;
  /** As `writeTranscript`, for a judge's answer. */
  writeJudgement(key: string, ref: TrialRef, judgement: Judgement): Promise<boolean>;
}

export interface ResultStoreOptions {
  /** Told of each unreadable entry once, and of the first failed write in `cache` mode. */
  readonly onWarning?: (warning: StoreWarning) => void;
}

/**
 * The eval cache folder: `$BLASTGATE_CACHE_DIR/evals`, else `$XDG_CACHE_HOME/blastgate/evals`,
 * else `~/.cache/blastgate/evals` — the `evals` folder beside the parse cache's file, so
 * one variable moves both and either can be cleared alone.
 */
export function defaultEvalCacheDir(env: Readonly<Record<string, string | undefined>>, home: string): string {
  const root = env.BLASTGATE_CACHE_DIR || path.join(env.XDG_CACHE_HOME || path.join(home, ".cache"), "blastgate");
  return path.join(root, "evals");
}

/** The file an entry lives in: `<dir>/<kind>/<first two digits of key>/<key>.json`. */
export function entryPath(dir: string, entry: EntryKind, key: string): string {
  checkKey(key);
  return path.join(dir, entry, key.slice(0, 2), `${key}.json`);
}

/** An entry file's text: sorted keys, two-space indent, a newline at the end, so equal entries are equal bytes. */
export function renderEntry(entry: EntryKind, key: string, ref: TrialRef, value: Transcript | Judgement): string {
  const field = entry === "transcripts" ? "transcript" : "judgement";
  return `${canonicalJson({ format: STORE_FORMAT, key, case: ref.caseId, trial: ref.trial, [field]: value }, 2)}\n`;
}

const refFields = { format: z.literal(STORE_FORMAT), key: z.string(), case: z.string(), trial: z.int().min(0) };

const transcriptEntrySchema = z.strictObject({ ...refFields, transcript: transcriptSchema });

/** What the grader relies on in a stored answer; the rest of the message is kept as it came. */
const judgementSchema = z.looseObject({
  type: z.literal("message"),
  role: z.literal("assistant"),
  model: z.string(),
  content: z.array(z.looseObject({ type: z.string() })),
  stop_reason: z.string().nullable(),
  usage: z.looseObject({ input_tokens: z.int().min(0), output_tokens: z.int().min(0) }),
});
const judgementEntrySchema = z.strictObject({ ...refFields, judgement: judgementSchema });

/** Opens the store for `mode`. Nothing is read or created until the first lookup or write. */
export function openResultStore(mode: StoreMode, options: ResultStoreOptions = {}): ResultStore {
  const warned = new Set<string>();
  let writesFailed = false;
  const warn = (file: string, message: string) => {
    if (warned.has(file)) return;
    warned.add(file);
    options.onWarning?.({ file, message });
  };
  const shown = mode.kind === "no-cache" ? "" : (mode.shownAs ?? mode.dir);
  const shownFile = (file: string) => (mode.kind === "no-cache" ? file : path.join(shown, path.relative(mode.dir, file)));

  async function read<T>(entry: EntryKind, key: string, ref: TrialRef, schema: z.ZodType<{ key: string } & T>): Promise<T | undefined> {
    if (mode.kind === "no-cache" || mode.kind === "record") return undefined;
    const file = entryPath(mode.dir, entry, key);
    const found = await readEntry(file, key, schema);
    if (found.kind === "hit") return found.value;
    if (found.kind === "unreadable") warn(shownFile(file), `${shownFile(file)}: ignored an unreadable ${entry === "transcripts" ? "transcript" : "judgement"} entry (${found.reason})`);
    if (mode.kind === "replay") throw new NotRecordedError(entry, key, ref, shown, found.kind === "unreadable" ? found.reason : undefined);
    return undefined;
  }

  async function write(entry: EntryKind, key: string, ref: TrialRef, value: Transcript | Judgement): Promise<boolean> {
    if (mode.kind === "no-cache" || mode.kind === "replay") return false;
    if (mode.kind === "cache" && writesFailed) return false;
    const file = entryPath(mode.dir, entry, key);
    try {
      await writeAtomically(file, renderEntry(entry, key, ref, value));
      return true;
    } catch (error) {
      if (mode.kind === "record") throw new FileAccessError("write", shownFile(file), { cause: error, typed: true });
      // The cache only saves money: a full or read-only disk costs this run its reuse, not its results.
      writesFailed = true;
      const failure = new FileAccessError("write", shownFile(file), { cause: error, typed: true });
      warn(shown, `${failure.message}; the eval cache keeps nothing more from this run`);
      return false;
    }
  }

  return {
    mode,
    readTranscript: (key, ref) => read("transcripts", key, ref, transcriptEntrySchema).then((found) => found?.transcript),
    writeTranscript: async (key, ref, transcript) => (isFailed(transcript) ? false : write("transcripts", key, ref, transcript)),
    readJudgement: (key, ref) => read("judgements", key, ref, judgementEntrySchema).then((found) => found?.judgement as Judgement | undefined),
    writeJudgement: (key, ref, judgement) => write("judgements", key, ref, judgement),
  };
}

/** A run that failed: `error` or `timeout`. `max-turns` is the agent's own doing and is kept. */
function isFailed(transcript: Transcript): boolean {
  return transcript.stop === "error" || transcript.stop === "timeout";
}

type ReadOutcome<T> = { kind: "hit"; value: T } | { kind: "miss" } | { kind: "unreadable"; reason: string };

async function readEntry<T>(file: string, key: string, schema: z.ZodType<{ key: string } & T>): Promise<ReadOutcome<T>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as { code?: unknown }).code === "ENOENT") return { kind: "miss" };
    return { kind: "unreadable", reason: new FileAccessError("read", file, { cause: error }).reason };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: "unreadable", reason: "not JSON" };
  }
  if ((json as { format?: unknown } | null)?.format !== STORE_FORMAT) return { kind: "unreadable", reason: `not format ${STORE_FORMAT}` };
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { kind: "unreadable", reason: `\`${issue?.path.join(".") || "(root)"}\`: ${issue?.message ?? "invalid"}` };
  }
  // A file renamed or copied to another key's place must not answer for that key.
  if (parsed.data.key !== key) return { kind: "unreadable", reason: "it holds another key's entry" };
  return { kind: "hit", value: parsed.data };
}

/**
 * Written whole beside its place, then renamed onto it: a reader never sees half an
 * entry, and two runs writing the same key at once leave one whole file.
 */
async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${randomUUID()}.tmp`;
  try {
    await writeFile(temporary, text);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** Keys are made by a hash; anything else (a path, a dot) must never reach the file system. */
function checkKey(key: string): void {
  if (!/^[0-9a-f]{16,128}$/.test(key)) throw new RangeError(`result store: a key is 16 to 128 lowercase hex digits, got ${JSON.stringify(key)}`);
}
