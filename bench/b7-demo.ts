/**
 * B7: `clarion demo` with defaults, the way a user runs it (a fresh process through bin/clarion.mjs).
 * Targets: <= 15 s wall, <= 1 GiB peak RSS. Peak RSS is the child's VmHWM (high-water mark), sampled until it exits.
 *
 * Run: npx tsx bench/b7-demo.ts [--runs 3]
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../src/testing/shared";

const runsAt = process.argv.indexOf("--runs");
const runs = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 3;
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got '${process.argv[runsAt + 1]}'`);

function hwmKiB(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

async function once(): Promise<{ wallMs: number; peakMiB: number; findings: number }> {
  const out = mkdtempSync(join(tmpdir(), "clarion-b7-"));
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(REPO_ROOT, "bin", "clarion.mjs"), "demo", "--out", out, "--quiet"], { stdio: ["ignore", "ignore", "inherit"] });
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, hwmKiB(child.pid ?? 0))), 20);
  const code = await new Promise<number>((resolve) => child.on("exit", (c) => resolve(c ?? 1)));
  clearInterval(timer);
  const wallMs = performance.now() - t0;
  if (code !== 0) throw new Error(`clarion demo exited ${code}`);
  const findings = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")).counts.findings;
  return { wallMs, peakMiB: peak / 1024, findings };
}

const results = [];
for (let i = 0; i < runs; i++) results.push(await once());
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const wall = median(results.map((r) => r.wallMs));
const rss = Math.max(...results.map((r) => r.peakMiB));
console.log(`B7 clarion demo (default): ${results[0].findings} findings`);
console.log(`  wall  median ${(wall / 1000).toFixed(2)} s over ${runs} runs (target <= 15 s): ${wall <= 15000 ? "PASS" : "FAIL"}`);
console.log(`  peak RSS ${rss.toFixed(0)} MiB (target <= 1024 MiB): ${rss <= 1024 ? "PASS" : "FAIL"}`);
