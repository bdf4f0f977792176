import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readZip, startFakeActionsResults, type FakeActionsResults } from "../helpers/fake-actions-results.ts";

// The real @actions/artifact client reads its environment when called, so set it per test.
describe("the fake Actions results service, driven by the real @actions/artifact client", () => {
  let fake: FakeActionsResults;
  const saved = { ...process.env };
  beforeEach(async () => {
    fake = await startFakeActionsResults();
    Object.assign(process.env, fake.env);
  });
  afterEach(async () => {
    process.env = { ...saved };
    await fake.close();
  });

  it("receives an uploaded file as a finalized zip artifact", async () => {
    const { DefaultArtifactClient } = await import("@actions/artifact");
    const dir = await mkdtemp(path.join(tmpdir(), "blastgate-artifact-"));
    const file = path.join(dir, "results.json");
    await writeFile(file, JSON.stringify({ verdict: "pass" }));
    const uploaded = await new DefaultArtifactClient().uploadArtifact("blastgate-results", [file], dir);
    const artifact = fake.artifacts.get("blastgate-results");
    expect(artifact?.finalized).toBe(true);
    expect(uploaded.id).toBe(1);
    expect(artifact?.workflowRunBackendId).toBe("run-backend-1");
    expect(readZip(artifact!.bytes).get("results.json")?.toString("utf8")).toBe('{"verdict":"pass"}');
    expect(artifact?.hash).toBe(`sha256:${uploaded.digest}`);
  });

  it("refuses a second artifact of the same name in one run, as the service does", async () => {
    const { DefaultArtifactClient } = await import("@actions/artifact");
    const dir = await mkdtemp(path.join(tmpdir(), "blastgate-artifact-"));
    const file = path.join(dir, "a.txt");
    await writeFile(file, "a");
    const client = new DefaultArtifactClient();
    await client.uploadArtifact("same", [file], dir);
    await expect(client.uploadArtifact("same", [file], dir)).rejects.toThrow(/CreateArtifact/);
  });
});
