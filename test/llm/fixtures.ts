import { explainOffline } from "../../src/ai/offline-engine";
import type { Fact, Finding } from "../../src/domain/finding";

/** Synthetic enriched findings with realistic dossiers (the shape src/pipeline/enrich.ts writes). */
export interface FindingSpec {
  id?: string;
  name: string;
  packId?: string | null;
  recId?: string;
  recommendation?: string;
  typeLabel?: string;
  env?: string;
  app?: string;
  data?: string;
  criticality?: string;
  owner?: string;
  statusReason?: string;
  exposure?: string;
  alert?: string;
  frameworks?: { id: string; name: string; controls: string[] }[];
  override?: Record<string, string>;
}

export const NIST = { id: "nist-800-53-r5", name: "NIST SP 800-53 Rev. 5", controls: ["SC-7", "AC-4"] };
export const PCI = { id: "pci-dss-4.0", name: "PCI DSS 4.0", controls: ["1.3.2"] };

export function makeFinding(s: FindingSpec): Finding {
  const facts: Fact[] = [];
  const add = (id: string, value: string | undefined, source: string) => {
    if (value === undefined) return;
    facts.push({ id, value: s.override?.[id] ?? value, source });
  };
  const rid = `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-app/providers/Microsoft.Storage/storageAccounts/${s.name}`;
  add("resource.name", s.name, "inventory");
  add("resource.typeLabel", s.typeLabel ?? "storage account", "inventory type microsoft.storage/storageaccounts");
  add("resource.id", rid, "inventory");
  add(
    "recommendation",
    s.recommendation ?? "Storage accounts should restrict network access using virtual network rules",
    "Defender assessment 2a1a9cdf-e04d-429a-8416-3bfb72a1b26f",
  );
  add("status.reason", s.statusReason ?? "networkAcls.defaultAction is Allow", "Defender assessment status");
  add("env", s.env ?? "production", "resource tag environment: prod");
  add("tag.application", s.app, "resource tag app");
  add("tag.dataClassification", s.data, "resource tag dataClassification");
  add("tag.criticality", s.criticality, "resource tag criticality");
  add("owner", s.owner, "resource tag owner");
  for (const fw of s.frameworks ?? [NIST]) {
    for (const c of fw.controls)
      facts.push({ id: `control.${fw.id}/${c}`, value: "in scope", source: "built-in initiative mapping (policy 34c877ad)" });
    facts.push({ id: `framework.${fw.id}`, value: fw.name, source: "framework catalog" });
  }
  add("exposure.internet", s.exposure, "resource network properties");
  if (s.alert) facts.push({ id: `alert.${s.name}-a1`, value: s.alert, source: "Defender alert" });
  for (const [id, v] of Object.entries(s.override ?? {}))
    if (!facts.some((f) => f.id === id)) facts.push({ id, value: v, source: "injected for the test" });
  const explanation = explainOffline({ dossier: { findingId: s.id ?? `f-${s.name}`, facts } });
  return {
    id: s.id ?? `f-${s.name}`,
    resourceId: rid,
    resourceName: s.name,
    resourceType: "Microsoft.Storage/storageAccounts",
    subscriptionId: "00000000-0000-0000-0000-000000000001",
    resourceGroup: "rg-app",
    environment: "production",
    recommendation: {
      id: s.recId ?? "2a1a9cdf-e04d-429a-8416-3bfb72a1b26f",
      name: s.recommendation ?? "Storage accounts should restrict network access using virtual network rules",
      severity: "Medium",
      category: "Networking",
      policyDefinitionId: null,
      packId: s.packId === undefined ? null : s.packId,
    },
    status: "Unhealthy",
    risk: { score: 60, level: "high", factors: [] },
    owner: { name: s.owner ?? "unknown", email: null, source: s.owner ? "resource-tag" : "unknown" },
    controls: (s.frameworks ?? [NIST]).flatMap((fw) => fw.controls.map((c) => ({ framework: fw.id, version: "", controlId: c }))),
    attackPaths: [],
    rootCause: null,
    explanation,
    remediation: [
      {
        kind: "az-cli",
        content: `az storage account update --name ${s.name} --default-action Deny`,
        rollback: `az storage account update --name ${s.name} --default-action Allow`,
      },
    ],
    exemption: null,
    dossier: facts,
  };
}

/** A small estate: two recommendation types, two environments, some exposed, some with alerts. */
export function smallEstate(n = 24): Finding[] {
  const out: Finding[] = [];
  for (let i = 0; i < n; i++) {
    const prod = i % 2 === 0;
    out.push(
      makeFinding({
        name: `st${prod ? "prd" : "dev"}${String(i).padStart(2, "0")}`,
        env: prod ? "production" : "development",
        app: i % 3 ? "checkout" : "billing",
        data: prod ? "PCI" : undefined,
        owner: `team${i % 4}@fabrikam.example`,
        exposure: i % 4 === 0 ? "firewall default action Allow: any network can connect" : undefined,
        alert: i % 6 === 0 ? `Unusual access to st${i} 3 h ago (High)` : undefined,
        frameworks: prod ? [NIST, PCI] : [NIST],
        recId: i % 5 === 0 ? "rec-b" : "rec-a",
        recommendation: i % 5 === 0 ? "Storage account public access should be disallowed" : undefined,
      }),
    );
  }
  return out;
}
