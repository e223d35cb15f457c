import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqliteStore } from "../store/sqlite-store";
import { blobSink } from "./blob";
import { drainOutbox } from "./outbox";
import { StoreDeliveryRepo } from "./repo";

// Azurite's documented development account (public, well-known).
const KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
let azurite: ChildProcess;
let conn = "";
let dir = "";

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  const port = await freePort();
  dir = mkdtempSync(join(tmpdir(), "clarion-azurite-"));
  azurite = spawn(
    process.execPath,
    [
      join(process.cwd(), "node_modules/azurite/dist/src/blob/main.js"),
      "--blobHost",
      "127.0.0.1",
      "--blobPort",
      String(port),
      "--inMemoryPersistence",
      "--extentMemoryLimit",
      "64",
      "--silent",
      "--disableTelemetry",
      "--skipApiVersionCheck",
    ],
    { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
  );
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("azurite did not start")), 20_000);
    azurite.stdout?.on("data", (d) => String(d).includes("successfully listens") && (clearTimeout(t), resolve()));
    azurite.on("exit", (c) => reject(new Error(`azurite exited ${c}`)));
  });
  conn = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${KEY};BlobEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`;
}, 30_000);

afterAll(() => {
  azurite?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("Azure Blob policy drafts (Azurite)", () => {
  it("writes immutable versions, moves latest, and never writes the same content twice", async () => {
    const store = new SqliteStore(":memory:");
    await store.migrate();
    const repo = new StoreDeliveryRepo(store);
    const sink = blobSink({ connectionString: conn, container: "drafts" });
    const draft = (content: string, key: string) => ({
      idempotencyKey: key,
      sink: "blob",
      topic: "policy.draft",
      payload: { name: "clarion-storage-tls", content, findingId: "F-1" },
    });
    await repo.enqueue([draft('{"v":1}', "k1")], new Date().toISOString());
    await repo.enqueue([draft('{"v":2}', "k2")], new Date().toISOString());
    await repo.enqueue([draft('{"v":1}', "k3")], new Date().toISOString()); // same content as v1, new key
    const r = await drainOutbox(repo, [sink]);
    expect(r).toMatchObject({ delivered: 2, skipped: 1, dead: 0 });
    const c = BlobServiceClient.fromConnectionString(conn).getContainerClient("drafts");
    const names: string[] = [];
    for await (const b of c.listBlobsFlat({ prefix: "clarion-storage-tls/" })) names.push(b.name);
    expect(names.sort()).toEqual(["clarion-storage-tls/latest.json", "clarion-storage-tls/v1.json", "clarion-storage-tls/v2.json"]);
    const latest = await c.getBlobClient("clarion-storage-tls/latest.json").downloadToBuffer();
    expect(latest.toString()).toBe('{"v":2}');
    const props = await c.getBlobClient("clarion-storage-tls/v1.json").getProperties();
    expect(props.metadata).toMatchObject({ version: "1", findingid: "F-1" });
    expect(props.contentType).toBe("application/json");
  }, 30_000);
});
