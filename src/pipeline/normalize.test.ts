import { describe, expect, it } from "vitest";
import { Normalizer, normalizeActivityRow } from "./normalize";

const res = (name: string, extra: Record<string, unknown> = {}) => ({
  id: `/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/${name}`,
  name,
  type: "microsoft.storage/storageaccounts",
  subscriptionId: "s1",
  resourceGroup: "rg",
  properties: {},
  ...extra,
});

const assessment = (resourceId: string, key: string, code: string, casing: "arg" | "rest" = "arg") => ({
  id: `${resourceId}/providers/Microsoft.Security/assessments/${key}`,
  name: key,
  type: casing === "arg" ? "microsoft.security/assessments" : "Microsoft.Security/assessments",
  properties: {
    resourceDetails: casing === "arg" ? { Source: "Azure", Id: resourceId } : { source: "Azure", id: resourceId },
    displayName: "Secure transfer to storage accounts should be enabled",
    status: { code },
    metadata: { severity: "high", policyDefinitionId: "/providers/Microsoft.Authorization/policyDefinitions/404c3081-a854-4457-ae30-26a93ef643f9" },
  },
});

describe("Normalizer", () => {
  it("routes rows by type and reads both ARG and REST casings of resourceDetails", () => {
    const n = new Normalizer();
    const r = res("st1");
    n.addAll([
      { row: r, origin: { file: "a.json", index: 0 } },
      { row: assessment(r.id, "k1", "Unhealthy", "arg"), origin: { file: "a.json", index: 1 } },
      { row: assessment(r.id, "k2", "healthy", "rest"), origin: { file: "a.json", index: 2 } },
    ]);
    expect(n.tenant.resources).toHaveLength(1);
    expect(n.tenant.assessments.map((a) => [a.assessmentKey, a.resourceId, a.status, a.severity])).toEqual([
      ["k1", r.id, "Unhealthy", "High"],
      ["k2", r.id, "Healthy", "High"],
    ]);
    expect(n.report).toMatchObject({ read: 3, accepted: 3, rejected: 0 });
  });

  it("rejects bad rows with where and why, keeps the good ones, and counts reconcile", () => {
    const n = new Normalizer();
    const r = res("st2");
    n.addAll([
      { row: r, origin: { file: "x.json", index: 0 } },
      { row: { name: "no-type" }, origin: { file: "x.json", index: 1 } },
      { row: { ...res("st3"), id: "" }, origin: { file: "x.json", index: 2 } },
      { row: assessment(r.id, "k3", "Broken"), origin: { file: "x.json", index: 3 } },
      { row: r, origin: { file: "x.json", index: 4 } },
      { row: "just a string", origin: { file: "x.json", line: 9 } },
    ]);
    const rep = n.report;
    expect(rep.read).toBe(6);
    expect(rep.accepted).toBe(1);
    expect(rep.accepted + rep.rejected).toBe(rep.read);
    expect(rep.byReason).toEqual({ "unknown-shape": 2, invalid: 2, duplicate: 1 });
    expect(rep.errors.map((e) => e.where)).toEqual([
      "x.json, index 1, field type",
      "x.json, index 2, field id",
      "x.json, index 3, field status",
      "x.json, index 4, field id",
      "x.json, line 9",
    ]);
    expect(rep.errors[2].reason).toMatch(/Healthy|Unhealthy|NotApplicable|invalid/i);
  });

  it("normalizes Activity Log REST events and AzureActivity rows to the same event", () => {
    const rest = normalizeActivityRow({
      eventDataId: "e1",
      correlationId: "c1",
      caller: "a@x.example",
      operationName: { value: "Microsoft.Network/networkSecurityGroups/securityRules/write" },
      resourceId: "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg1/securityRules/r1",
      status: { value: "Succeeded" },
      eventTimestamp: "2026-11-01T10:00:00Z",
      httpRequest: { clientIpAddress: "203.0.113.9" },
      claims: { appid: "app-1" },
      category: { value: "Administrative" },
    });
    const table = normalizeActivityRow({
      EventDataId: "e1",
      CorrelationId: "c1",
      Caller: "a@x.example",
      OperationNameValue: "Microsoft.Network/networkSecurityGroups/securityRules/write",
      _ResourceId: "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg1/securityRules/r1",
      ActivityStatusValue: "Succeeded",
      TimeGenerated: "2026-11-01T10:00:00Z",
      CallerIpAddress: "203.0.113.9",
      Claims_d: { appid: "app-1" },
      CategoryValue: "Administrative",
    });
    for (const e of [rest, table]) expect(e).toMatchObject({ eventId: "e1", correlationId: "c1", operationName: "Microsoft.Network/networkSecurityGroups/securityRules/write", callerIpAddress: "203.0.113.9", clientAppId: "app-1", subscriptionId: "s1", time: "2026-11-01T10:00:00.000Z" });
  });

  it("names the field of an activity event without a timestamp", () => {
    const n = new Normalizer();
    n.add({ hint: "activity", row: { eventDataId: "e9", operationName: { value: "x/write" }, resourceId: "/subscriptions/s/x" }, origin: { file: "act.json", index: 4 } });
    expect(n.report.errors[0]).toMatchObject({ where: "act.json, index 4, field eventTimestamp" });
  });

  it("reads Defender alerts (REST) and SecurityAlert rows", () => {
    const n = new Normalizer();
    n.add({ row: { id: "/subscriptions/s1/providers/Microsoft.Security/locations/westeurope/alerts/a1", name: "a1", type: "Microsoft.Security/Locations/alerts", properties: { alertType: "VM_X", alertDisplayName: "X", severity: "High", startTimeUtc: "2026-11-01T00:00:00Z", resourceIdentifiers: [{ type: "AzureResource", azureResourceId: "/subscriptions/s1/r" }] } }, origin: { index: 0 } });
    n.add({ hint: "alert", row: { SystemAlertId: "a2", AlertName: "Y", AlertSeverity: "Medium", StartTime: "2026-11-01T00:00:00Z", ResourceId: "/subscriptions/s1/r2" }, origin: { index: 1 } });
    n.add({ hint: "alert", row: { SystemAlertId: "a3", AlertName: "Z", AlertSeverity: "Severe", StartTime: "2026-11-01T00:00:00Z" }, origin: { file: "alerts.csv", line: 4 } });
    expect(n.tenant.alerts.map((a) => [a.id, a.severity, a.resourceIds[0]])).toEqual([
      ["/subscriptions/s1/providers/Microsoft.Security/locations/westeurope/alerts/a1", "High", "/subscriptions/s1/r"],
      ["a2", "Medium", "/subscriptions/s1/r2"],
    ]);
    expect(n.report.errors[0].where).toBe("alerts.csv, line 4, field AlertSeverity");
  });
});
