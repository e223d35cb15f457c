import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Normalizer } from "../../pipeline/normalize";
import { readInputs } from "./read-inputs";

const dir = mkdtempSync(join(tmpdir(), "clarion-files-"));
const put = (name: string, content: string) => {
  const f = join(dir, name);
  writeFileSync(f, content);
  return f;
};
const row = (n: number) => ({
  id: `/subscriptions/s1/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv${n}`,
  name: `kv${n}`,
  type: "microsoft.keyvault/vaults",
  subscriptionId: "s1",
  resourceGroup: "rg",
  properties: {},
});

function ingest(files: string[]) {
  const r = readInputs(files);
  const n = new Normalizer();
  for (const u of r.unreadable) n.rejectUnreadable(u.origin, u.reason);
  n.addAll(r.rows);
  return { read: r, n };
}

describe("readInputs", () => {
  it("auto-detects ARG results, JSON arrays, ARM list pages and NDJSON", () => {
    const files = [
      put("arg.json", JSON.stringify({ totalRecords: 2, count: 2, data: [row(1), row(2)], facets: [], resultTruncated: "false" })),
      put("array.json", JSON.stringify([row(3)])),
      put("list.json", JSON.stringify({ value: [row(4)], nextLink: null })),
      put("rows.ndjson", `${JSON.stringify(row(5))}\n${JSON.stringify(row(6))}\n`),
    ];
    const { read, n } = ingest(files);
    expect(Object.values(read.formats)).toEqual(["arg-results", "json-array", "arm-list", "ndjson"]);
    expect(n.tenant.resources.map((r) => r.name)).toEqual(["kv1", "kv2", "kv3", "kv4", "kv5", "kv6"]);
  });

  it("keeps the good lines of an NDJSON file with a malformed line, naming file and line", () => {
    const f = put("bad.ndjson", `${JSON.stringify(row(7))}\n{"id": oops}\n${JSON.stringify(row(8))}\n`);
    const { n } = ingest([f]);
    expect(n.tenant.resources.map((r) => r.name)).toEqual(["kv7", "kv8"]);
    expect(n.report).toMatchObject({ read: 3, accepted: 2, rejected: 1, byReason: { unreadable: 1 } });
    expect(n.report.errors[0].where).toBe(`${f}, line 2`);
  });

  it("reads NDJSON in chunks: CRLF, blank lines, unicode, no final newline, bad lines named by line", () => {
    const lines = [
      JSON.stringify({ ...row(20), tags: { owner: "zoë 日本" } }),
      "",
      "  ",
      '{"id":',
      JSON.stringify(row(21)),
      "[1]",
      JSON.stringify(row(22)),
    ];
    const f = put("crlf.jsonl", lines.join("\r\n"));
    const { n, read } = ingest([f]);
    expect(read.formats[f]).toBe("ndjson");
    expect(n.tenant.resources.map((r) => [r.name, r.tags?.owner])).toEqual([
      ["kv20", "zoë 日本"],
      ["kv21", undefined],
      ["kv22", undefined],
    ]);
    expect(n.report.errors.map((e) => e.where)).toEqual([`${f}, line 4`, `${f}, line 6`]);
    expect(n.report).toMatchObject({ read: 5, accepted: 3, rejected: 2 });
  });

  it("salvages the complete elements of a truncated ARG export and reports the truncation", () => {
    const full = JSON.stringify({ data: [row(9), row(10), row(11)] }, null, 2);
    const f = put("truncated.json", full.slice(0, full.length - 120));
    const { n } = ingest([f]);
    expect(n.tenant.resources.map((r) => r.name)).toEqual(["kv9", "kv10"]);
    expect(n.report.rejected).toBe(1);
    expect(n.report.errors[0].reason).toMatch(/truncated/);
    expect(n.report.errors[0].where).toMatch(/truncated\.json, line \d+/);
    expect(n.report.accepted + n.report.rejected).toBe(n.report.read);
  });

  it("reads Log Analytics query results of SecurityRecommendation, parsing dynamic columns", () => {
    const rid = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1";
    const f = put(
      "la.json",
      JSON.stringify({
        tables: [
          {
            name: "PrimaryResult",
            columns: [
              { name: "TimeGenerated", type: "datetime" },
              { name: "AssessedResourceId", type: "string" },
              { name: "RecommendationName", type: "string" },
              { name: "RecommendationDisplayName", type: "string" },
              { name: "RecommendationState", type: "string" },
              { name: "RecommendationSeverity", type: "string" },
              { name: "Properties", type: "dynamic" },
            ],
            rows: [
              [
                "2026-11-01T00:00:00Z",
                rid,
                "1c5de8e1-f68d-6a17-e0d2-ec259c42768c",
                "Secure transfer to storage accounts should be enabled",
                "Unhealthy",
                "High",
                '{"x":1}',
              ],
              ["2026-11-01T00:00:00Z", "", "", "", "Unhealthy", "High", "{}"],
            ],
          },
        ],
      }),
    );
    const { n } = ingest([f]);
    expect(n.tenant.assessments).toHaveLength(1);
    expect(n.tenant.assessments[0]).toMatchObject({
      resourceId: rid,
      status: "Unhealthy",
      severity: "High",
      assessmentKey: "1c5de8e1-f68d-6a17-e0d2-ec259c42768c",
    });
    expect(n.report.errors[0].where).toBe(`${f}, index 1, field id`);
  });

  it("reads CSV exports of SecurityAlert and AzureActivity and names bad records by line", () => {
    const alerts = put(
      "alerts.csv",
      'SystemAlertId,AlertName,AlertSeverity,StartTime,ResourceId,Description\na1,Brute force,High,2026-11-01T00:00:00Z,/subscriptions/s1/r1,"multi\nline, with comma"\na2,Short,Medium\n',
    );
    const activity = put(
      "activity.csv",
      "EventDataId,CorrelationId,Caller,OperationNameValue,_ResourceId,ActivityStatusValue,TimeGenerated\ne1,c1,a@x.example,Microsoft.Storage/storageAccounts/write,/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1,Succeeded,2026-11-01T00:00:00Z\n",
    );
    const { n, read } = ingest([alerts, activity]);
    expect(read.formats[alerts]).toBe("csv:SecurityAlert");
    expect(read.formats[activity]).toBe("csv:AzureActivity");
    expect(n.tenant.alerts.map((a) => a.description)).toEqual(["multi\nline, with comma"]);
    expect(n.tenant.activity.map((e) => e.operationName)).toEqual(["Microsoft.Storage/storageAccounts/write"]);
    expect(n.report.errors[0]).toMatchObject({ where: `${alerts}, line 4`, reason: "expected 6 fields, found 3" });
  });

  it("reads az security assessment list output (REST shape)", () => {
    const rid = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Web/sites/app1";
    const f = put(
      "az-assess.json",
      JSON.stringify([
        {
          id: `${rid}/providers/Microsoft.Security/assessments/k1`,
          name: "k1",
          type: "Microsoft.Security/assessments",
          resourceDetails: { id: rid },
          properties: {
            resourceDetails: { source: "Azure", id: rid },
            displayName: "App Service apps should only be accessible over HTTPS",
            status: { code: "Unhealthy" },
          },
        },
      ]),
    );
    const { n } = ingest([f]);
    expect(n.tenant.assessments[0]).toMatchObject({ resourceId: rid, status: "Unhealthy" });
  });
});
