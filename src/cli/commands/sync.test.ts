import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeFixtureTenant } from "../../../simulator/fixtures/tenant";
import { type AzureSimulator, startSimulator } from "../../../simulator/server";
import { loadTenant } from "../../sources/azure/sync";
import { normalize } from "../../sources/azure/testing";
import { openStore } from "../../store/open-store";
import { REPO_ROOT } from "../../testing/shared";

describe("clarion sync --source azure (child process)", () => {
  let sim: AzureSimulator;
  let dir: string;
  beforeAll(async () => {
    sim = await startSimulator({ tenant: makeFixtureTenant({ now: new Date(), subscriptions: 3, resourcesPerSubscription: 20 }), pageSize: 2 });
    dir = mkdtempSync(join(tmpdir(), "clarion-sync-"));
  });
  afterAll(async () => {
    await sim?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (db: string) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, "bin/clarion.mjs"), "sync", "--source", "azure", "--db", db, "-o", "json", "--no-progress"], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: sim.cert.certPath, CLARION_AZURE_ENDPOINT: sim.url, CLARION_AZURE_TOKEN: sim.token },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
    return { child, done, out: () => out, err: () => err };
  };

  it("kill -9 mid-sync, then a restart, gives the same result as an uninterrupted sync", async () => {
    const db = join(dir, "killed.db");
    sim.setLatency(25);
    let seen = 0;
    const first = run(db);
    await new Promise<void>((resolve) => {
      sim.onRequest = () => {
        if (++seen === 12) {
          first.child.kill("SIGKILL");
          resolve();
        }
      };
      first.done.then(() => resolve());
    });
    sim.onRequest = undefined;
    const killed = await first.done;
    expect(killed.signal).toBe("SIGKILL");
    sim.setLatency(0);

    const second = run(db);
    const r = await second.done;
    expect(r.code, second.err()).toBe(0);
    const result = JSON.parse(second.out());
    expect(result.resumed).toBe(true);
    expect(result.mode).toBe("full");

    const store = await openStore(db, { mustExist: true });
    const got = await loadTenant(store);
    await store.close();
    expect(normalize(got)).toEqual(normalize(sim.snapshot()));

    const clean = run(join(dir, "clean.db"));
    expect((await clean.done).code).toBe(0);
    const cleanStore = await openStore(join(dir, "clean.db"), { mustExist: true });
    expect(got).toEqual(await loadTenant(cleanStore));
    await cleanStore.close();
  });
});
