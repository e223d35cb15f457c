import type { Finding } from "../domain/finding";

/**
 * OCSF 1.1 Compliance Finding events (class 2003, category Findings), one per finding, for security data
 * lakes (Amazon Security Lake, Sentinel data connectors, SIEMs that speak OCSF).
 */
const SEVERITY_ID: Record<string, number> = { low: 2, medium: 3, high: 4, critical: 5 };

export function toOcsf(findings: Finding[], opts: { now?: Date; version?: string } = {}): Record<string, unknown>[] {
  const time = (opts.now ?? new Date()).getTime();
  return findings.map((f) => ({
    category_uid: 2,
    category_name: "Findings",
    class_uid: 2003,
    class_name: "Compliance Finding",
    activity_id: 1,
    activity_name: "Create",
    type_uid: 200301,
    type_name: "Compliance Finding: Create",
    time,
    severity_id: SEVERITY_ID[f.risk.level] ?? 0,
    severity: f.risk.level[0].toUpperCase() + f.risk.level.slice(1),
    status_id: 1,
    status: "New",
    message: f.explanation.summary,
    metadata: { version: "1.1.0", product: { name: "Clarion", vendor_name: "Clarion", version: opts.version ?? "0.1.0" }, uid: f.id },
    finding_info: {
      uid: f.id,
      title: f.recommendation.name,
      desc: f.explanation.businessImpact,
      types: [f.recommendation.category],
      created_time: f.firstSeen ? Date.parse(f.firstSeen) : undefined,
      modified_time: f.statusChangeDate ? Date.parse(f.statusChangeDate) : undefined,
    },
    compliance: {
      status_id: 3,
      status: "Fail",
      standards: [...new Set(f.controls.map((c) => c.framework))],
      requirements: f.controls.map((c) => `${c.framework}:${c.controlId}`),
      control: f.recommendation.id,
    },
    remediation: { desc: f.explanation.recommendedAction ?? "", references: f.recommendation.policyDefinitionId ? [f.recommendation.policyDefinitionId] : [] },
    resources: [{ uid: f.resourceId, name: f.resourceName, type: f.resourceType, group: { name: f.resourceGroup }, owner: { name: f.owner.name, email_addr: f.owner.email ?? undefined }, labels: [f.environment] }],
    cloud: { provider: "Azure", account: { uid: f.subscriptionId, type: "Azure AD Account" } },
    risk_score: Math.round(f.risk.score),
    risk_level: f.risk.level,
    unmapped: { attackPaths: f.attackPaths, rootCause: f.rootCause },
  }));
}
