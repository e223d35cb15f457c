import { describe, expect, it } from "vitest";
import { normalizeActivity } from "../../changes/normalize-activity";
import { nsgsFiltering } from "../../changes/related";
import { localParts } from "../../changes/time";
import { generateActivity } from "./activity";
import { generateEstate } from "./estate";

const NOW = new Date("2026-12-04T20:00:00Z");
const TZ = "Europe/Amsterdam";
const estate = generateEstate(42);
const resources = [...estate.resources, ...estate.containers];
const unhealthy = estate.resources.filter((_, i) => i % 5 === 0).map((r) => ({ assessmentId: `${r.id}/providers/Microsoft.Security/assessments/k`, resourceId: r.id }));
const input = { seed: 42, now: NOW, days: 30, timeZone: TZ, resources, unhealthy };
const out = generateActivity(input);
const filters = nsgsFiltering(resources);

describe("generateActivity", () => {
  it("is deterministic for a seed and differs between seeds", () => {
    expect(JSON.stringify(generateActivity(input))).toBe(JSON.stringify(out));
    expect(generateActivity({ ...input, seed: 43 }).events[0].eventDataId).not.toBe(out.events[0].eventDataId);
  });

  it("emits clean Activity Log REST events: writes, deletes and actions only, Started before the end event", () => {
    const { events, report } = normalizeActivity(out.events, { now: NOW });
    expect(report).toMatchObject({ invalid: 0, duplicates: 0, clockSkew: 0, future: 0 });
    expect(events.length).toBeGreaterThan(2000);
    expect(events.every((e) => /\/(write|delete|action)$/.test(e.operationName))).toBe(true);
    const byCorr = new Map<string, string[]>();
    for (const e of events) byCorr.set(`${e.correlationId}|${e.resourceId}|${e.operationName}`, [...(byCorr.get(`${e.correlationId}|${e.resourceId}|${e.operationName}`) ?? []), e.status]);
    for (const statuses of byCorr.values()) expect(statuses[0]).toBe("Started");
    const start = NOW.getTime() - 30 * 86_400_000;
    expect(events.every((e) => Date.parse(e.time) >= start && Date.parse(e.time) < NOW.getTime())).toBe(true);
  });

  it("keeps people to their working hours (in the tenant's zone) most of the time", () => {
    const users = out.events.filter((e) => String(e.caller).includes("@"));
    const inHours = users.filter((e) => {
      const p = localParts(Date.parse(String(e.eventTimestamp)), TZ);
      return p.hour >= 7 && p.hour < 19 && p.weekday !== 0 && p.weekday !== 6;
    });
    expect(inHours.length / users.length).toBeGreaterThan(0.93);
    expect(new Set(users.map((e) => e.caller)).size).toBe(15);
  });

  it("plants anomalies in the last week, and root causes shortly before each linked status change", () => {
    const byId = new Map(out.events.map((e) => [String(e.eventDataId), e]));
    expect(out.truth.anomalousEventIds.length).toBeGreaterThanOrEqual(10);
    for (const id of out.truth.anomalousEventIds) {
      const t = Date.parse(String(byId.get(id)?.eventTimestamp));
      expect(NOW.getTime() - t).toBeLessThan(7 * 86_400_000);
    }
    const linked = Object.entries(out.truth.rootCause);
    expect(linked.length).toBeGreaterThan(10);
    for (const [assessmentId, eventId] of linked) {
      const e = byId.get(eventId);
      expect((e?.status as { value: string } | undefined)?.value).toBe("Succeeded");
      const lag = Date.parse(out.statusChangeDates[assessmentId]) - Date.parse(String(e?.eventTimestamp));
      expect(lag).toBeGreaterThan(0);
      expect(lag).toBeLessThan(11 * 3_600_000);
      const resource = unhealthy.find((u) => u.assessmentId === assessmentId)?.resourceId.toLowerCase() ?? "";
      // On the resource itself, or on an NSG that filters its traffic.
      const on = String(e?.resourceId).toLowerCase();
      expect(on.startsWith(resource) || (filters.get(resource) ?? []).some((n) => on.startsWith(n))).toBe(true);
    }
    for (const u of unhealthy) expect(Date.parse(out.statusChangeDates[u.assessmentId])).toBeLessThan(NOW.getTime());
  });

  it("keeps the ground truth out of the events", () => {
    const planted = new Set(out.truth.anomalousEventIds);
    const shape = (e: Record<string, unknown>) => Object.keys(e).sort().join(",");
    const normalShapes = new Set(out.events.filter((e) => !planted.has(String(e.eventDataId))).map(shape));
    for (const e of out.events.filter((x) => planted.has(String(x.eventDataId)))) {
      expect(normalShapes.has(shape(e))).toBe(true);
      expect(JSON.stringify(e)).not.toMatch(/plant|anomal|truth|attack|malicious/i);
    }
  });
});
