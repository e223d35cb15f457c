/**
 * Microsoft Sentinel incident payloads (`Microsoft.SecurityInsights/incidents`, api-version 2024-09-01) for
 * high-scoring change anomalies. The incident id is derived from the correlation id, so re-sending the same
 * anomaly updates one incident instead of creating another (PUT is idempotent).
 */
import { createHash } from "node:crypto";
import type { Anomaly } from "./anomalies";
import { shortName } from "./model";

export const SENTINEL_API_VERSION = "2024-09-01";

export interface SentinelIncidentRequest {
  /** Client-chosen GUID for `PUT {base}/incidents/{incidentId}`. */
  incidentId: string;
  /** Path relative to the workspace's `.../providers/Microsoft.SecurityInsights` base. */
  path: string;
  apiVersion: string;
  body: {
    properties: {
      title: string;
      description: string;
      severity: "High" | "Medium" | "Low" | "Informational";
      status: "New";
      labels: { labelName: string; labelType: "User" }[];
      firstActivityTimeUtc: string;
      lastActivityTimeUtc: string;
    };
  };
}

export interface SentinelOptions {
  /** Only anomalies at or above this score become incidents (default 70). */
  minScore?: number;
  labels?: string[];
}

/** Deterministic GUID-shaped id (name-based, SHA-1, like UUID v5) from a string. */
export function stableGuid(name: string): string {
  const h = createHash("sha1").update(`clarion-change-anomaly:${name.toLowerCase()}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

export function severityForScore(score: number): "High" | "Medium" | "Low" | "Informational" {
  if (score >= 85) return "High";
  if (score >= 70) return "Medium";
  if (score >= 50) return "Low";
  return "Informational";
}

/** One incident request for one anomaly. Attacker-influenced strings (names) are quoted as data only. */
export function buildSentinelIncident(a: Anomaly, opts: SentinelOptions = {}): SentinelIncidentRequest {
  const incidentId = stableGuid(a.correlationId);
  const lines = [
    `Clarion flagged a configuration change scored ${a.score}/100 as unlike this team's normal work.`,
    `Who: ${a.caller}. What: ${a.operation} on ${a.resourceId}${a.resourceIds.length > 1 ? ` and ${a.resourceIds.length - 1} other resource(s)` : ""}. When: ${a.time}. Correlation id: ${a.correlationId}.`,
    "Why it stands out:",
    ...a.reasons.map((r) => `- ${r}`),
    `Security impact: ${a.impact.summary}`,
  ];
  if (a.impact.findings.length) lines.push(`Findings caused: ${a.impact.findings.join(", ")}`);
  const times = [a.time];
  return {
    incidentId,
    path: `/incidents/${incidentId}`,
    apiVersion: SENTINEL_API_VERSION,
    body: {
      properties: {
        title: `Anomalous change: ${a.operation.split("/").slice(-2).join("/")} on ${shortName(a.resourceId)} by ${a.caller}`.slice(0, 250),
        description: lines.join("\n").slice(0, 5000),
        severity: severityForScore(a.score),
        status: "New",
        labels: ["clarion", "change-anomaly", ...(opts.labels ?? [])].map((labelName) => ({ labelName, labelType: "User" as const })),
        firstActivityTimeUtc: times[0],
        lastActivityTimeUtc: times[times.length - 1],
      },
    },
  };
}

/** Incidents for the anomalies at or above `minScore` (default 70). */
export function buildSentinelIncidents(anomalies: Anomaly[], opts: SentinelOptions = {}): SentinelIncidentRequest[] {
  const min = opts.minScore ?? 70;
  return anomalies.filter((a) => a.score >= min).map((a) => buildSentinelIncident(a, opts));
}
