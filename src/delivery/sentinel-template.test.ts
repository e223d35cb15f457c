import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findingFor, SUB_PROD, storageAccount, TLS_POLICY } from "../workflow/test-fixtures";
import { toSentinelRow } from "./sentinel-row";

const ROOT = join(import.meta.dirname, "../..");
const arm = JSON.parse(readFileSync(join(ROOT, "deploy/sentinel/ai-cspm-recommendations.json"), "utf8"));
const bicep = readFileSync(join(ROOT, "deploy/sentinel/ai-cspm-recommendations.bicep"), "utf8");

describe("AI_CSPMRecommendations_CL templates", () => {
  const dcr = arm.resources.find((r: { type: string }) => r.type === "Microsoft.Insights/dataCollectionRules");
  const table = arm.resources.find((r: { type: string }) => r.type === "Microsoft.OperationalInsights/workspaces/tables");
  const stream = dcr.properties.streamDeclarations["Custom-AI_CSPMRecommendations_CL"].columns.map((c: { name: string }) => c.name);

  it("declares every column of the Sentinel row contract in the stream", () => {
    const f = findingFor(storageAccount(SUB_PROD, "st1", "TLS1_0", "prod"), TLS_POLICY, {
      dossier: [],
      firstSeen: "x",
      statusChangeDate: null,
    });
    expect(stream.sort()).toEqual(Object.keys(toSentinelRow(f, "2026-01-01T00:00:00Z")).sort());
  });

  it("the table follows custom-table rules and the transform maps every stream column onto it", () => {
    const cols: string[] = table.properties.schema.columns.map((c: { name: string }) => c.name);
    const reserved = ["type", "tenantid", "resource", "resourceid", "resourcename", "resourcetype", "subscriptionid", "tenanted"];
    for (const c of cols) {
      expect(c).toMatch(/^[A-Za-z][A-Za-z0-9_-]{0,44}$/);
      expect(reserved).not.toContain(c.toLowerCase());
    }
    expect(cols).toContain("TimeGenerated");
    const renames = Object.fromEntries(
      [...String(dcr.properties.dataFlows[0].transformKql).matchAll(/(\w+) = (\w+)/g)].map((m) => [m[2], m[1]]),
    );
    expect(stream.map((s: string) => renames[s] ?? s).sort()).toEqual([...cols].sort());
    expect(arm.variables.tableName).toBe("AI_CSPMRecommendations_CL");
  });

  it("the Bicep twin declares the same columns and transform", () => {
    for (const c of stream) expect(bicep).toContain(`name: '${c}'`);
    expect(bicep).toContain(dcr.properties.dataFlows[0].transformKql);
    expect(bicep).toContain("kind: 'Direct'");
  });
});
