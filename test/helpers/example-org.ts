import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { buildExampleOrg, type ExampleOrg } from "../../scripts/build-example-org.ts";

/** The example org, built once for a test file into a temporary folder (`root`) that is removed after it. */
export interface ExampleOrgFixture {
  root: string;
  org: ExampleOrg;
}

/** Builds the example org before the file's tests and removes it after; the fields are set once `beforeAll` has run. */
export function useExampleOrg(label: string): ExampleOrgFixture {
  const fixture = {} as ExampleOrgFixture;
  beforeAll(async () => {
    fixture.root = await mkdtemp(path.join(tmpdir(), `blastgate-${label}-`));
    fixture.org = await buildExampleOrg(path.join(fixture.root, "org"));
  });
  afterAll(() => rm(fixture.root, { recursive: true, force: true }));
  return fixture;
}
