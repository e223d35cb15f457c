import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { buildProgram } from "../cli/main";
import type { Finding } from "../domain/finding";
import type { ActivityEvent } from "../domain/records";
import { openStore } from "../store/open-store";
import { zonedToUtc } from "./time";

const TZ = "Europe/Amsterdam";
const SUB = "/subscriptions/11111111-2222-3333-4444-555555555555";
const NSG = `${SUB}/resourceGroups/rg-network-prd/providers/Microsoft.Network/networkSecurityGroups/nsg-web-prd`;
const at = (day: number, hour: number, minute = 0) => zonedToUtc(2026, 11, day, hour, minute, TZ);

let n = 0;
function op(caller: string, opName: string, id: string, t: number): ActivityEvent[] {
  const corr = `corr-${++n}`;
  const base = { correlationId: corr, caller, operationName: opName, resourceId: id, category: "Administrative", level: "Informational", callerIpAddress: "203.0.113.5", clientAppId: "portal" };
  return [
    { ...base, eventId: `e-${++n}`, time: new Date(t).toISOString(), status: "Started" },
    { ...base, eventId: `e-${++n}`, time: new Date(t + 10_000).toISOString(), status: "Succeeded" },
  ];
}

function finding(id: string, statusChangeDate: string): Finding {
  return {
    id,
    resourceId: NSG,
    resourceName: "nsg-web-prd",
    resourceType: "microsoft.network/networksecuritygroups",
    subscriptionId: "11111111-2222-3333-4444-555555555555",
    resourceGroup: "rg-network-prd",
    environment: "production",
    recommendation: { id: "k", name: "Management ports should be closed", severity: "High", category: "Networking" },
    status: "Unhealthy",
    risk: { score: 80, level: "high", factors: [] },
    owner: { name: "network-team", email: null, source: "unknown" },
    controls: [],
    attackPaths: [],
    rootCause: null,
    explanation: { summary: "", businessImpact: "", complianceImpact: "", citations: [], engine: "offline", model: null, grounding: 1 },
    remediation: [],
    exemption: null,
    statusChangeDate,
  };
}

let dir: string;
let db: string;
const RDP_AT = at(25, 23, 5);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "clarion-changes-"));
  db = join(dir, "clarion.db");
  const events: ActivityEvent[] = [];
  for (let d = 2; d <= 20; d++) for (const h of [9, 13, 16]) events.push(...op("net@x.example", "Microsoft.Network/networkSecurityGroups/securityRules/write", `${NSG}/securityRules/allow-https`, at(d, h)));
  events.push(...op("dev@x.example", "Microsoft.Network/networkSecurityGroups/securityRules/write", `${NSG}/securityRules/allow-rdp`, RDP_AT));
  events.push(...op("net@x.example", "Microsoft.Network/networkSecurityGroups/securityRules/write", `${NSG}/securityRules/allow-https`, at(27, 10)));
  const store = await openStore(db);
  await store.replaceActivity(events);
  await store.replaceFindings([finding("F-1", new Date(RDP_AT + 40 * 60_000).toISOString()), finding("F-2", "2026-01-01T00:00:00Z")]);
  await store.setMeta("timeZone", TZ);
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...args: string[]): Promise<string> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => {
    chunks.push(String(c));
    return true;
  });
  try {
    const program = await buildProgram();
    await program.parseAsync(["node", "clarion", ...args]);
  } finally {
    spy.mockRestore();
  }
  return chunks.join("");
}

describe("clarion changes", () => {
  it("anomalies --since 7d -o json: the after-hours production NSG edit with reasons and impact", async () => {
    const items = JSON.parse(await run("changes", "anomalies", "--since", "7d", "-o", "json", "--db", db));
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ caller: "dev@x.example", resourceId: `${NSG}/securityRules/allow-rdp`, time: new Date(RDP_AT).toISOString() });
    expect(items[0].score).toBeGreaterThanOrEqual(50);
    expect(items[0].reasons.join(" ")).toMatch(/\(Europe\/Amsterdam\), outside dev@x\.example's usual hours|first change by dev@x\.example/);
    expect(items[0].impact.findings).toEqual(["F-1"]);
    expect(typeof items[0].correlationId).toBe("string");
  });

  it("anomalies with a date, a table and Sentinel incidents", async () => {
    const incidents = join(dir, "incidents.ndjson");
    const table = await run("changes", "anomalies", "--since", "2026-11-21", "--db", db, "--incidents", incidents, "--incident-min-score", "50");
    expect(table.split("\n")[0]).toMatch(/^score\s+time\s+caller\s+operation\s+resource\s+reasons\s+impact/);
    expect(table).toContain("nsg-web-prd/allow-rdp");
    const lines = readFileSync(incidents, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0].body.properties).toMatchObject({ status: "New", severity: "Low", firstActivityTimeUtc: new Date(RDP_AT).toISOString() });
  });

  it("rootcause lists the causing change per finding, and one finding by id", async () => {
    const all = JSON.parse(await run("changes", "rootcause", "-o", "json", "--db", db));
    expect(all.map((r: { findingId: string }) => r.findingId)).toEqual(["F-1"]);
    expect(all[0]).toMatchObject({ caller: "dev@x.example", operation: "Microsoft.Network/networkSecurityGroups/securityRules/write" });
    expect(all[0].explanation).toMatch(/40 min before Defender marked it unhealthy/);
    const one = JSON.parse(await run("changes", "rootcause", "F-1", "-o", "json", "--db", db));
    expect(one).toHaveLength(1);
    await expect(run("changes", "rootcause", "F-404", "--db", db)).rejects.toThrow(/no finding 'F-404'/);
  });

  it("rejects a bad --since and a missing database", async () => {
    await expect(run("changes", "anomalies", "--since", "soon", "--db", db)).rejects.toThrow(/--since/);
    await expect(run("changes", "anomalies", "--db", join(dir, "nope.db"))).rejects.toThrow(/no Clarion database/);
  });
});
