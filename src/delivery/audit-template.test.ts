import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { armProblems, bicepProblems, parseBicep } from "../../test/templates/arm";
import { chainEvents, verifyChain } from "../store/audit-chain";
import { AUDIT_COLUMNS, AUDIT_STREAM, AUDIT_TABLE, fromAuditRow, isAuditRow, toAuditRow } from "./audit-row";

const ROOT = join(import.meta.dirname, "../..");
const arm = JSON.parse(readFileSync(join(ROOT, "deploy/sentinel/clarion-audit.json"), "utf8"));
const bicep = readFileSync(join(ROOT, "deploy/sentinel/clarion-audit.bicep"), "utf8");

const events = chainEvents(
  [
    {
      time: "2026-02-01T09:00:00.000Z",
      actor: "alice",
      action: "approval.requested",
      subject: "A-1",
      digest: "d1",
      details: { b: 2, a: [1, "x"] },
    },
    { time: "2026-02-01T09:05:00.000Z", actor: "bob", action: "approval.approved", subject: "A-1", digest: "d2", details: {} },
  ],
  0,
  "0".repeat(64),
);

describe("ClarionAudit_CL row contract", () => {
  it("maps every stored field of an audit event, plus TimeGenerated and ChainId, in the declared column order", () => {
    const row = toAuditRow(events[1], events[0].hash, "2026-03-01T00:00:00.000Z");
    expect(Object.keys(row)).toEqual(AUDIT_COLUMNS.map((c) => c.name));
    expect(row).toMatchObject({ TimeGenerated: "2026-02-01T09:05:00.000Z", ChainId: events[0].hash, Seq: 2, Time: events[1].time });
    expect(row.PrevHash).toBe(events[0].hash);
    // a time that is not a date still gives the row a TimeGenerated; Time keeps the stored text
    const odd = toAuditRow({ ...events[0], time: "yesterday" }, events[0].hash, "2026-03-01T00:00:00.000Z");
    expect([odd.TimeGenerated, odd.Time]).toEqual(["2026-03-01T00:00:00.000Z", "yesterday"]);
  });

  it("rows read back from the table (as a query export gives them) verify as the stored chain", () => {
    const rows = events.map((e) => toAuditRow(e, events[0].hash, "x"));
    expect(verifyChain(rows.map(fromAuditRow))).toEqual({ ok: true, checked: 2 });
    // long as text, dynamic as JSON text with other key order: still the same events
    const exported = rows.map((r) => ({
      ...r,
      Seq: String(r.Seq),
      Details: JSON.stringify(r.Details, Object.keys(r.Details as object).reverse()),
    }));
    expect(exported.every(isAuditRow)).toBe(true);
    expect(verifyChain(exported.map(fromAuditRow)).ok).toBe(true);
    expect(verifyChain([fromAuditRow({ ...exported[0], Actor: "mallory" }), fromAuditRow(exported[1])]).ok).toBe(false);
    expect(isAuditRow(events[0])).toBe(false);
  });
});

describe("ClarionAudit_CL templates", () => {
  const dcr = arm.resources.find((r: { type: string }) => r.type === "Microsoft.Insights/dataCollectionRules");
  const table = arm.resources.find((r: { type: string }) => r.type === "Microsoft.OperationalInsights/workspaces/tables");
  const stream = dcr.properties.streamDeclarations[AUDIT_STREAM].columns as { name: string; type: string }[];
  const tableCols = table.properties.schema.columns as { name: string; type: string }[];

  it("the stream and the table declare exactly the row contract, with its types", () => {
    const contract = AUDIT_COLUMNS.map((c) => ({ name: c.name, type: c.type }));
    expect(stream).toEqual(contract);
    expect(tableCols).toEqual(contract);
    expect(arm.variables).toMatchObject({ tableName: AUDIT_TABLE, streamName: AUDIT_STREAM });
    expect(dcr.properties.dataFlows).toEqual([
      {
        streams: ["[variables('streamName')]"],
        destinations: ["clarionWorkspace"],
        transformKql: "source",
        outputStream: "[variables('streamName')]",
      },
    ]);
    expect(dcr.kind).toBe("Direct");
  });

  it("follows the custom-table rules (no reserved names) and is a valid ARM template", () => {
    const reserved = [
      "type",
      "tenantid",
      "resource",
      "resourceid",
      "resourcename",
      "resourcetype",
      "subscriptionid",
      "id",
      "title",
      "uniqueid",
    ];
    for (const c of tableCols) {
      expect(c.name).toMatch(/^[A-Za-z][A-Za-z0-9_]{0,44}$/);
      expect(reserved).not.toContain(c.name.toLowerCase());
      expect(c.name.startsWith("_")).toBe(false);
    }
    expect(armProblems(arm)).toEqual([]);
  });

  it("the Bicep twin declares the same columns, types and transform, and passes the structural checks", () => {
    const b = parseBicep(bicep);
    expect(bicepProblems(b)).toEqual([]);
    expect(b.resources.map((r) => r.type)).toEqual([
      "Microsoft.OperationalInsights/workspaces",
      "Microsoft.OperationalInsights/workspaces/tables",
      "Microsoft.Insights/dataCollectionRules",
      "Microsoft.Authorization/roleAssignments",
    ]);
    for (const c of AUDIT_COLUMNS) expect(bicep.split(`{ name: '${c.name}', type: '${c.type}' }`).length - 1, c.name).toBe(2);
    expect(bicep).toContain(`var tableName = '${AUDIT_TABLE}'`);
    expect(bicep).toContain(`var streamName = '${AUDIT_STREAM}'`);
    expect(bicep).toContain("transformKql: 'source'");
    expect(bicep).toContain("kind: 'Direct'");
    for (const p of Object.keys(arm.parameters)) expect(b.params.has(p), p).toBe(true);
    expect([...b.outputs].sort()).toEqual(Object.keys(arm.outputs).sort());
  });
});

/** The Kusto language service (parser + binder of the Kusto editors) with ClarionAudit_CL as the row contract declares it. */
function checkAuditKql(query: string): string[] {
  const require = createRequire(import.meta.url);
  require("@kusto/language-service-next/bridge.min.js");
  require("@kusto/language-service-next/Kusto.Language.Bridge.min.js");
  // biome-ignore lint/suspicious/noExplicitAny: the Bridge.NET output is untyped at this boundary
  const K = (globalThis as any).Kusto.Language;
  const table = new K.Symbols.TableSymbol.$ctor7(AUDIT_TABLE, `(${AUDIT_COLUMNS.map((c) => `${c.name}:${c.type}`).join(", ")})`, "audit");
  const db = new K.Symbols.DatabaseSymbol.ctor("workspace", [table]);
  const globals = K.GlobalState.Default.WithCluster(new K.Symbols.ClusterSymbol.ctor("loganalytics", [db])).WithDatabase(db);
  const d = K.KustoCode.ParseAndAnalyze(query, globals).GetDiagnostics();
  const errors: string[] = [];
  for (let i = 0; i < d.Count; i++) if (d.getItem(i).Severity === "Error") errors.push(d.getItem(i).Message);
  return errors;
}

describe("docs/delivery.md audit queries", () => {
  const doc = readFileSync(join(ROOT, "docs/delivery.md"), "utf8");
  const queries = [...doc.matchAll(/```kusto\n([\s\S]*?)```/g)].map((m) => m[1]).filter((q) => q.includes(AUDIT_TABLE));

  it("parse and bind over the ClarionAudit_CL columns (and the checker catches a wrong column)", () => {
    expect(queries.length).toBeGreaterThanOrEqual(2);
    for (const q of queries) expect(checkAuditKql(q), q).toEqual([]);
    expect(checkAuditKql(`${AUDIT_TABLE} | project SeqNo`).length).toBeGreaterThan(0);
  });
});
