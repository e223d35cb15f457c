import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { beforeAll, describe, expect, it } from "vitest";
import { estateStore, GOVERNANCE, SUB_PROD, storageAccount, TLS_POLICY } from "./test-fixtures";

const BIN = join(process.cwd(), "bin/clarion.mjs");
const run = (args: string[], env: Record<string, string> = {}) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, ...env }, timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

let dir: string;
let db: string;
let gov: string;
let findingId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "clarion-wf-cli-"));
  db = join(dir, "clarion.db");
  gov = join(dir, "gov.json");
  writeFileSync(gov, JSON.stringify(GOVERNANCE));
  const { store, findings } = await estateStore([[storageAccount(SUB_PROD, "stcli1", "TLS1_0", "prod"), TLS_POLICY]]);
  await store.db.backup(db);
  await store.close();
  findingId = findings[0].id;
});

describe("clarion approvals / audit verify", () => {
  it("runs a request and four-eyes approval from the command line, then verifies and detects tampering", () => {
    const req = run(["approvals", "request", findingId, "--db", db, "--config", gov, "--reason", "old TLS", "-o", "json"], {
      CLARION_ACTOR: "root",
    });
    expect(req.code, req.err).toBe(0);
    const id = JSON.parse(req.out).id as string;
    const self = run(["approvals", "approve", id, "--db", db, "--config", gov, "--actor", "root"]);
    expect(self.code).toBe(4);
    expect(self.err).toMatch(/four-eyes/);
    const noActor = run(["approvals", "approve", id, "--db", db, "--config", gov], { CLARION_ACTOR: "" });
    expect(noActor.code).toBe(2);
    const ok = run(["approvals", "approve", id, "--db", db, "--config", gov, "--actor", "bob", "-o", "json", "--query", "state"]);
    expect(ok.out.trim()).toBe('"approved"');
    const list = run(["approvals", "list", "--db", db, "--config", gov, "-o", "csv"]);
    expect(list.out.split("\n")[1]).toContain(`${id},approved,${findingId}`);

    const v = run(["audit", "verify", "--db", db]);
    expect(v.code, v.err).toBe(0);
    expect(v.out).toMatch(/3 event\(s\).*intact/);
    const out = join(dir, "audit.jsonl");
    expect(run(["audit", "export", "--db", db, "--out", out]).code).toBe(0);
    expect(run(["audit", "verify", "--file", out]).code).toBe(0);
    // Reorder two lines of the export.
    const lines = readFileSync(out, "utf8").trim().split("\n");
    writeFileSync(join(dir, "reordered.jsonl"), [lines[1], lines[0], lines[2]].join("\n"));
    const r = run(["audit", "verify", "--file", join(dir, "reordered.jsonl")]);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/BROKEN.*event #1/);
    // Delete one event from the store.
    const raw = new Database(db);
    raw.prepare("DELETE FROM audit WHERE seq = 2").run();
    raw.close();
    const d = run(["audit", "verify", "--db", db, "-o", "json"]);
    expect(d.code).not.toBe(0);
    expect(JSON.parse(d.out).problem.position).toBe(2);
  }, 60_000);
});
