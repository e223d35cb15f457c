import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgTestSchema, pgUnavailable } from "../store/postgres-testing";
import { type KillScenarioResult, runKillScenario } from "./kill-scenario";

/**
 * The kill test at 10k findings (the 100k version is `npx tsx bench/b1/worker-kill.ts`, ~2+ minutes):
 * 3 worker processes, one SIGKILLed a quarter of the way through, a replacement started.
 */
const pgReason = await pgUnavailable();
if (pgReason) console.warn(`[worker kill test] SKIPPING: ${pgReason}`);

describe.skipIf(!!pgReason)("3 workers, one killed with SIGKILL mid-run (10k findings)", () => {
  let target: Awaited<ReturnType<typeof pgTestSchema>>;
  let r: KillScenarioResult;
  beforeAll(async () => {
    target = await pgTestSchema("kill");
    r = await runKillScenario({ url: target?.url ?? "", findings: 10_000, workers: 3, killAt: 0.2, expireSeconds: 4 });
  }, 150_000);
  afterAll(() => target?.drop());

  it("writes every finding exactly once, none missing", () => {
    expect(r.killedPid).toBeDefined();
    expect(r.progress.status).toBe("done");
    expect(r.progress.done).toBe(r.progress.batches);
    expect(r.progress.findingsExpected).toBe(10_000);
    expect(r.progress.findingsWritten).toBe(10_000); // ledger rows: a duplicate write would add one
    expect(r.progress.distinctFindings).toBe(10_000);
    expect(r.storedFindings).toBe(10_000);
    expect(r.progress.maxCommits).toBe(1);
  });

  it("the surviving workers' reports add up: every committed batch counted once across workers", () => {
    const bySurvivors = r.reports.reduce((n, x) => n + x.batches, 0);
    expect(r.victimBatches).toBeGreaterThan(0);
    expect(r.victimBatches + bySurvivors).toBe(r.progress.batches);
  });

  it("a worker started after the kill picks up work, and the audit chain written by all of them verifies", () => {
    expect(r.restartedBatches).toBeGreaterThan(0);
    expect(r.auditOk).toBe(true);
  });
});
