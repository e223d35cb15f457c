import type { Finding } from "../domain/finding";

/**
 * SARIF 2.1.0 for code-scanning style consumers: one rule per recommendation, one result per finding, located
 * logically at the Azure resource id (findings are about deployed resources, not files).
 */
const LEVEL: Record<string, "error" | "warning" | "note"> = { critical: "error", high: "error", medium: "warning", low: "note" };

export function toSarif(findings: Finding[], opts: { version?: string } = {}): Record<string, unknown> {
  const rules = new Map<string, Record<string, unknown>>();
  for (const f of findings) {
    if (rules.has(f.recommendation.id)) continue;
    rules.set(f.recommendation.id, {
      id: f.recommendation.id,
      name: f.recommendation.packId ?? undefined,
      shortDescription: { text: f.recommendation.name },
      fullDescription: { text: f.recommendation.name },
      help: { text: f.explanation.recommendedAction ?? f.recommendation.name },
      defaultConfiguration: { level: f.recommendation.severity === "High" ? "error" : f.recommendation.severity === "Medium" ? "warning" : "note" },
      properties: {
        "security-severity": f.recommendation.severity === "High" ? "8.0" : f.recommendation.severity === "Medium" ? "5.0" : "2.0",
        tags: ["security", "azure", f.recommendation.category, ...new Set(f.controls.map((c) => c.framework))],
        policyDefinitionId: f.recommendation.policyDefinitionId ?? undefined,
      },
    });
  }
  const ruleIndex = new Map([...rules.keys()].map((k, i) => [k, i]));
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "Clarion", version: opts.version ?? "0.1.0", informationUri: "https://github.com/clarion-cspm/clarion", rules: [...rules.values()] } },
        results: findings.map((f) => ({
          ruleId: f.recommendation.id,
          ruleIndex: ruleIndex.get(f.recommendation.id),
          level: LEVEL[f.risk.level] ?? "warning",
          message: { text: `${f.explanation.summary} ${f.explanation.recommendedAction ?? ""}`.trim() },
          locations: [{ logicalLocations: [{ fullyQualifiedName: f.resourceId, name: f.resourceName, kind: "resource" }] }],
          partialFingerprints: { clarionFindingId: f.id },
          properties: {
            riskScore: f.risk.score,
            riskLevel: f.risk.level,
            environment: f.environment,
            owner: f.owner.name,
            controls: f.controls.map((c) => `${c.framework}:${c.controlId}`),
            attackPaths: f.attackPaths,
          },
        })),
      },
    ],
  };
}
