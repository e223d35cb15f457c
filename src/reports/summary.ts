import type { Finding } from "../domain/finding";
import type { IngestReport } from "../pipeline/normalize";

export interface RunSummary {
  runId: string;
  generatedAt: string;
  source: string;
  ingest: { read: number; accepted: number; rejected: number; byReason: Record<string, number> };
  counts: {
    resources: number;
    assessments: number;
    unhealthy: number;
    healthy: number;
    notApplicable: number;
    findings: number;
    recommendationTypes: number;
    withPack: number;
    generic: number;
  };
  bySeverity: Record<string, number>;
  byRiskLevel: Record<string, number>;
  byFramework: Record<string, number>;
  byEnvironment: Record<string, number>;
  byOwnerSource: Record<string, number>;
  secureScore: { subscriptionId: string; name: string; current: number; max: number; percentage: number }[];
  topRisks: { id: string; score: number; level: string; resourceName: string; recommendation: string; owner: string }[];
  timingsMs: Record<string, number>;
}

export function countBy<T>(items: T[], key: (t: T) => string | string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const it of items) {
    const k = key(it);
    for (const x of Array.isArray(k) ? k : [k]) out[x] = (out[x] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(out).sort((a, b) => b[1] - a[1]));
}

export function summarize(findings: Finding[], ingest: IngestReport, extra: Omit<RunSummary, "ingest" | "bySeverity" | "byRiskLevel" | "byFramework" | "byEnvironment" | "byOwnerSource" | "topRisks">): RunSummary {
  return {
    ...extra,
    ingest: { read: ingest.read, accepted: ingest.accepted, rejected: ingest.rejected, byReason: ingest.byReason },
    bySeverity: countBy(findings, (f) => f.recommendation.severity),
    byRiskLevel: countBy(findings, (f) => f.risk.level),
    byFramework: countBy(findings, (f) => [...new Set(f.controls.map((c) => c.framework))]),
    byEnvironment: countBy(findings, (f) => f.environment),
    byOwnerSource: countBy(findings, (f) => f.owner.source),
    topRisks: findings.slice(0, 10).map((f) => ({ id: f.id, score: f.risk.score, level: f.risk.level, resourceName: f.resourceName, recommendation: f.recommendation.name, owner: f.owner.name })),
  };
}
