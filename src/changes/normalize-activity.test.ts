import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { needShared, realdata } from "../testing/shared";
import { countOutOfOrder, normalizeActivity, parseEventTime } from "./normalize-activity";

const SUB = "0b1f6471-1bf0-4dda-aec3-111122223333";
const NSG = `/subscriptions/${SUB}/resourceGroups/rg-web/providers/Microsoft.Network/networkSecurityGroups/nsg-web`;

function rest(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    authorization: { action: "Microsoft.Network/networkSecurityGroups/securityRules/write", scope: `${NSG}/securityRules/allow-rdp` },
    caller: "alice@contoso.example",
    claims: { appid: "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn": "alice@contoso.example" },
    correlationId: "c-1",
    eventDataId: "e-1",
    category: { value: "Administrative", localizedValue: "Administrative" },
    level: "Informational",
    operationName: { value: "Microsoft.Network/networkSecurityGroups/securityRules/write", localizedValue: "Create or Update Security Rule" },
    resourceId: `${NSG}/securityRules/allow-rdp`,
    status: { value: "Succeeded", localizedValue: "Succeeded" },
    subStatus: { value: "Created", localizedValue: "Created (HTTP Status Code: 201)" },
    httpRequest: { clientIpAddress: "203.0.113.10", method: "PUT" },
    eventTimestamp: "2026-11-20T10:22:31.0612345Z",
    submissionTimestamp: "2026-11-20T10:24:02.1234567Z",
    subscriptionId: SUB,
    ...over,
  };
}

const NOW = new Date("2026-12-01T00:00:00Z");

describe("normalizeActivity", () => {
  it("reads the REST shape: operation, status, caller, IP, app, scope", () => {
    const { events, report } = normalizeActivity({ value: [rest()] }, { now: NOW });
    expect(report).toMatchObject({ read: 1, kept: 1, invalid: 0 });
    expect(events[0]).toMatchObject({
      eventId: "e-1",
      correlationId: "c-1",
      time: "2026-11-20T10:22:31.061Z",
      caller: "alice@contoso.example",
      operationName: "Microsoft.Network/networkSecurityGroups/securityRules/write",
      status: "Succeeded",
      callerIpAddress: "203.0.113.10",
      clientAppId: "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
      resourceGroup: "rg-web",
      subscriptionId: SUB,
    });
    expect(events[0].properties?.subStatus).toBe("Created");
  });

  it("reads Log Analytics query results and maps LA status words to REST ones", () => {
    const la = {
      tables: [
        {
          name: "PrimaryResult",
          columns: ["TimeGenerated", "OperationNameValue", "ActivityStatusValue", "Caller", "CallerIpAddress", "CorrelationId", "EventDataId", "_ResourceId", "Authorization_d", "Claims_d", "CategoryValue"].map((name) => ({ name, type: "string" })),
          rows: [
            ["2026-11-20T10:00:00Z", "MICROSOFT.STORAGE/STORAGEACCOUNTS/WRITE", "Success", "bob@contoso.example", "198.51.100.4", "c-2", "e-2", "/subscriptions/s/resourcegroups/rg/providers/microsoft.storage/storageaccounts/st1",
              JSON.stringify({ action: "Microsoft.Storage/storageAccounts/write", scope: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1" }),
              JSON.stringify({ appid: "c44b4083-3bb0-49c1-b47d-974e53cbdf3c" }), "Administrative"],
            ["2026-11-20T09:59:00Z", "MICROSOFT.STORAGE/STORAGEACCOUNTS/WRITE", "Start", "bob@contoso.example", "198.51.100.4", "c-2", "e-3", "/subscriptions/s/resourcegroups/rg/providers/microsoft.storage/storageaccounts/st1", null, null, "Administrative"],
          ],
        },
      ],
    };
    const { events, report } = normalizeActivity(la, { now: NOW });
    expect(report.kept).toBe(2);
    const success = events.find((e) => e.eventId === "e-2");
    // The authorization action and scope restore Azure's casing of the upper/lower-cased columns.
    expect(success).toMatchObject({ operationName: "Microsoft.Storage/storageAccounts/write", status: "Succeeded", clientAppId: "c44b4083-3bb0-49c1-b47d-974e53cbdf3c" });
    expect(success?.resourceId).toContain("/resourceGroups/rg/providers/Microsoft.Storage/");
    expect(events.find((e) => e.eventId === "e-3")?.status).toBe("Started");
  });

  it("skips bad rows, counts them and names the row and field", () => {
    const text = [JSON.stringify(rest()), "{not json", JSON.stringify(rest({ eventDataId: "e-2", operationName: undefined, authorization: undefined })), JSON.stringify(rest({ eventDataId: "e-3", eventTimestamp: "yesterday" }))].join("\n");
    const { events, report } = normalizeActivity(text, { file: "act.ndjson", now: NOW });
    expect(events.map((e) => e.eventId)).toEqual(["e-1"]);
    expect(report.invalid).toBe(3);
    expect(report.issues.map((i) => i.message)).toEqual([
      expect.stringMatching(/^act\.ndjson, line 2: line is not JSON/),
      expect.stringMatching(/^act\.ndjson, line 3, field operationName: missing operationName/),
      expect.stringMatching(/^act\.ndjson, line 4, field eventTimestamp: unreadable eventTimestamp 'yesterday'/),
    ]);
  });

  it("drops duplicate deliveries of the same event and keeps the most advanced status", () => {
    const started = rest({ status: { value: "Started" } });
    const { events, report } = normalizeActivity([started, rest(), rest()], { now: NOW });
    expect(report.duplicates).toBe(2);
    expect(events).toHaveLength(1);
    expect(events[0].status).toBe("Succeeded");
  });

  it("re-sorts out-of-order events and counts them against the dominant order", () => {
    const t = (i: number, min: number) => rest({ eventDataId: `e-${i}`, eventTimestamp: `2026-11-20T10:${String(min).padStart(2, "0")}:00Z`, submissionTimestamp: undefined });
    // Oldest first, with one late arrival.
    const asc = normalizeActivity([t(1, 1), t(2, 2), t(3, 5), t(4, 3), t(5, 6)], { now: NOW });
    expect(asc.report.outOfOrder).toBe(1);
    expect(asc.events.map((e) => e.eventId)).toEqual(["e-1", "e-2", "e-4", "e-3", "e-5"]);
    // Newest first (how the REST API pages) is not "out of order".
    const desc = normalizeActivity([t(5, 6), t(3, 5), t(2, 2), t(1, 1)], { now: NOW });
    expect(desc.report.outOfOrder).toBe(0);
    expect(desc.events.map((e) => e.eventId)).toEqual(["e-1", "e-2", "e-3", "e-5"]);
  });

  it("corrects clock skew (event clock ahead of submission) and future-dated events", () => {
    const skewed = rest({ eventDataId: "s", eventTimestamp: "2026-11-20T12:00:00Z", submissionTimestamp: "2026-11-20T10:01:00Z" });
    const future = rest({ eventDataId: "f", eventTimestamp: "2027-01-01T00:00:00Z", submissionTimestamp: "2026-11-30T08:00:00Z" });
    const hopeless = rest({ eventDataId: "h", eventTimestamp: "2027-01-01T00:00:00Z", submissionTimestamp: undefined });
    const small = rest({ eventDataId: "ok", eventTimestamp: "2026-11-20T10:03:00Z", submissionTimestamp: "2026-11-20T10:01:00Z" });
    const { events, report } = normalizeActivity([skewed, future, hopeless, small], { now: NOW });
    expect(report.clockSkew).toBe(2); // "future" is also ahead of its own submission time
    expect(report.future).toBe(1);
    expect(report.invalid).toBe(1);
    expect(Object.fromEntries(events.map((e) => [e.eventId, e.time]))).toEqual({
      s: "2026-11-20T10:01:00.000Z",
      f: "2026-11-30T08:00:00.000Z",
      ok: "2026-11-20T10:03:00.000Z",
    });
    expect(report.issues.find((i) => i.index === 2)?.message).toMatch(/index 2.*future/);
  });

  it("parses the portal CSV export date format as UTC", () => {
    expect(new Date(parseEventTime("4/28/2021, 2:32:14.029 PM") ?? 0).toISOString()).toBe("2021-04-28T14:32:14.029Z");
    expect(new Date(parseEventTime("4/28/2021, 12:05:00 AM") ?? 0).toISOString()).toBe("2021-04-28T00:05:00.000Z");
    expect(parseEventTime("not a date")).toBeUndefined();
  });

  it("counts out-of-order against either direction", () => {
    expect(countOutOfOrder([1, 2, 3, 4])).toBe(0);
    expect(countOutOfOrder([4, 3, 2, 1])).toBe(0);
    expect(countOutOfOrder([1, 5, 2, 3, 6])).toBe(1);
    // One very old event arriving early does not make everything after it "out of order".
    expect(countOutOfOrder([9, 8, 1, 7, 6, 5, 4])).toBe(1);
    expect(countOutOfOrder([])).toBe(0);
  });
});

describe.skipIf(!needShared("AzureActivity export rows"))("real AzureActivity export", () => {
  it("normalizes the real portal CSV rows (parsed here as records)", () => {
    const text = readFileSync(realdata("azure-sentinel/Solutions/Training/Azure-Sentinel-Training-Lab/Artifacts/Telemetry/azureActivity_adele.EXCERPT-first-2-rows.csv"), "utf8");
    const rows = parseCsv(text);
    const { events, report } = normalizeActivity(rows, { now: NOW });
    expect(report.invalid).toBe(0);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      operationName: "Microsoft.Web/sites/delete",
      status: "Succeeded",
      time: "2021-04-28T14:32:14.029Z",
      callerIpAddress: "37.142.150.162",
      clientAppId: "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
    });
    expect(events[0].resourceId).toMatch(/\/resourceGroups\/Sentinel-MainRG\/providers\/Microsoft\.Web\/sites\/Okta-new$/);
  });
});

/** Minimal RFC 4180 reader for the test (quoted fields with newlines and doubled quotes). */
function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += ch;
  }
  if (cell || row.length) rows.push([...row, cell]);
  const [head, ...body] = rows.filter((r) => r.length > 1);
  return body.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i] ?? ""])));
}
