// A fake of the GitHub Actions results service on loopback, for @actions/artifact's upload:
// the Twirp ArtifactService (CreateArtifact, FinalizeArtifact) at ACTIONS_RESULTS_URL and the
// Azure block blob its signed upload URL points at (Put Block, Put Block List). Shapes follow
// the generated Twirp client in @actions/artifact (results/api/v1/artifact) and the Blob
// service's REST API. The uploaded zip is kept and can be read back with `readZip`.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { inflateRawSync } from "node:zlib";

const SERVICE = "/twirp/github.actions.results.api.v1.ArtifactService/";

export interface UploadedArtifact {
  readonly name: string;
  readonly workflowRunBackendId: string;
  readonly workflowJobRunBackendId: string;
  readonly bytes: Buffer;
  readonly finalized: boolean;
  readonly size?: string;
  readonly hash?: string;
}

export interface FakeActionsResults {
  readonly url: string;
  /** The environment @actions/artifact reads: results URL, a runtime token carrying the backend ids. */
  readonly env: Record<string, string>;
  readonly artifacts: ReadonlyMap<string, UploadedArtifact>;
  close(): Promise<void>;
}

/** A runtime token as the runner hands it out: a JWT whose `scp` claim names the run and job backend ids. */
function runtimeToken(runId: string, jobId: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none", typ: "JWT" })}.${part({ scp: `Actions.ExampleScope Actions.Results:${runId}:${jobId}` })}.c2lnbmF0dXJl`;
}

export async function startFakeActionsResults(): Promise<FakeActionsResults> {
  const artifacts = new Map<string, { name: string; workflowRunBackendId: string; workflowJobRunBackendId: string; blocks: Map<string, Buffer>; bytes: Buffer; finalized: boolean; size?: string; hash?: string }>();
  let nextId = 1;
  const ids = new Map<string, number>();

  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { "content-type": "application/json" });
      response.end(JSON.stringify({ code: "internal", msg: String(error) }));
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const url = new URL(request.url ?? "/", "http://localhost");
    if (request.method === "POST" && url.pathname.startsWith(SERVICE)) {
      if (request.headers.authorization !== `Bearer ${token}`) return twirpError(response, 401, "unauthenticated", "missing or wrong runtime token");
      const message = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
      const method = url.pathname.slice(SERVICE.length);
      const name = String(message.name ?? "");
      if (method === "CreateArtifact") {
        if (artifacts.has(name) && artifacts.get(name)!.finalized) return twirpError(response, 409, "already_exists", `an artifact named ${name} already exists in this run`);
        artifacts.set(name, {
          name,
          workflowRunBackendId: String(message.workflow_run_backend_id),
          workflowJobRunBackendId: String(message.workflow_job_run_backend_id),
          blocks: new Map(),
          bytes: Buffer.alloc(0),
          finalized: false,
        });
        return json(response, { ok: true, signed_upload_url: `${base()}/blob/${encodeURIComponent(name)}?sv=2023-11-03&sig=fake-signature` });
      }
      if (method === "FinalizeArtifact") {
        const artifact = artifacts.get(name);
        if (artifact === undefined) return twirpError(response, 404, "not_found", `no artifact named ${name}`);
        artifact.finalized = true;
        artifact.size = String(message.size);
        if (typeof message.hash === "string") artifact.hash = message.hash;
        if (!ids.has(name)) ids.set(name, nextId++);
        return json(response, { ok: true, artifact_id: String(ids.get(name)) });
      }
      return twirpError(response, 404, "bad_route", `no method ${method}`);
    }
    if (request.method === "PUT" && url.pathname.startsWith("/blob/")) {
      const artifact = artifacts.get(decodeURIComponent(url.pathname.slice("/blob/".length)));
      if (artifact === undefined || url.searchParams.get("sig") !== "fake-signature") return blobError(response, 403, "AuthenticationFailed");
      const comp = url.searchParams.get("comp");
      if (comp === "block") {
        artifact.blocks.set(url.searchParams.get("blockid") ?? "", body);
        response.writeHead(201, blobHeaders());
        return void response.end();
      }
      if (comp === "blocklist") {
        const listed = [...body.toString("utf8").matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g)].map((match) => match[1]!);
        const missing = listed.filter((id) => !artifact.blocks.has(id));
        if (missing.length > 0) return blobError(response, 400, "InvalidBlockList");
        artifact.bytes = Buffer.concat(listed.map((id) => artifact.blocks.get(id)!));
        response.writeHead(201, { ...blobHeaders(), etag: `"0x${artifact.bytes.length.toString(16)}"`, "last-modified": new Date().toUTCString() });
        return void response.end();
      }
      // A single-shot Put Blob.
      artifact.bytes = body;
      response.writeHead(201, blobHeaders());
      return void response.end();
    }
    response.writeHead(404);
    response.end();
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const token = runtimeToken("run-backend-1", "job-backend-1");
  return {
    url: base(),
    env: { ACTIONS_RESULTS_URL: `${base()}/`, ACTIONS_RUNTIME_TOKEN: token, GITHUB_SERVER_URL: "https://github.com" },
    get artifacts() {
      return new Map([...artifacts].map(([name, a]) => [name, { name, workflowRunBackendId: a.workflowRunBackendId, workflowJobRunBackendId: a.workflowJobRunBackendId, bytes: a.bytes, finalized: a.finalized, size: a.size, hash: a.hash }]));
    },
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** The files of a zip archive (stored or deflated entries), by name, read through its central directory. */
export function readZip(zip: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error("not a zip archive: no end of central directory");
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localOffset = zip.readUInt32LE(at + 42);
    const name = zip.toString("utf8", at + 46, at + 46 + nameLength);
    const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const data = zip.subarray(dataStart, dataStart + compressedSize);
    files.set(name, method === 0 ? Buffer.from(data) : inflateRawSync(data));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return files;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

function json(response: ServerResponse, value: unknown): void {
  response.writeHead(200, { "content-type": "application/json" });
  response.end(JSON.stringify(value));
}

function twirpError(response: ServerResponse, status: number, code: string, msg: string): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify({ code, msg }));
}

function blobHeaders(): Record<string, string> {
  return { "x-ms-request-id": crypto.randomUUID(), "x-ms-version": "2023-11-03", date: new Date().toUTCString(), "content-length": "0" };
}

function blobError(response: ServerResponse, status: number, code: string): void {
  response.writeHead(status, { "content-type": "application/xml", "x-ms-error-code": code });
  response.end(`<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`);
}
