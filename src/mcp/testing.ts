import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rawTenantRows } from "../pipeline/normalize";
import { runPipeline } from "../pipeline/run";
import { DEMO_TIME_ZONE, generateDemoTenant } from "../sources/demo/index";
import { openStore } from "../store/open-store";

/** Fixed clock for the demo tenant used by the MCP tests. */
export const DEMO_NOW = new Date("2026-11-20T12:00:00Z");

/** Runs the built-in demo tenant (scale 1) into a fresh SQLite file and returns its path. */
export async function demoDb(): Promise<{ dir: string; db: string }> {
  const dir = mkdtempSync(join(tmpdir(), "clarion-mcp-"));
  const db = join(dir, "clarion.db");
  const store = await openStore(db);
  try {
    await store.setMeta("timeZone", DEMO_TIME_ZONE);
    const tenant = await generateDemoTenant({ seed: 42, scale: 1, now: DEMO_NOW });
    await runPipeline({ source: "demo (mcp tests)", rows: rawTenantRows(tenant, "demo"), outDir: dir, store, now: DEMO_NOW });
  } finally {
    await store.close();
  }
  return { dir, db };
}
