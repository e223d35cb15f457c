import type { Finding } from "../domain/finding";
import type { ArmResource } from "../domain/resource";
import { SqliteStore } from "../store/sqlite-store";
import type { Store } from "../store/store";
import { type GovernanceConfig, parseGovernanceConfig } from "./config";

/** Small, hand-made estate for workflow and delivery tests: storage accounts with old TLS in two subscriptions. */
export const SUB_PROD = "11111111-1111-1111-1111-111111111111";
export const SUB_DEV = "22222222-2222-2222-2222-222222222222";

export const TLS_POLICY = {
  properties: {
    displayName: "Storage accounts should use TLS 1.2 (Clarion draft)",
    policyType: "Custom",
    mode: "Indexed",
    version: "1.0.0",
    metadata: { category: "Storage", version: "1.0.0" },
    parameters: { effect: { type: "String", allowedValues: ["Audit", "Modify", "Disabled"], defaultValue: "Audit" } },
    policyRule: {
      if: {
        allOf: [
          { field: "type", equals: "Microsoft.Storage/storageAccounts" },
          { field: "Microsoft.Storage/storageAccounts/minimumTlsVersion", notEquals: "TLS1_2" },
        ],
      },
      then: {
        effect: "[parameters('effect')]",
        details: {
          roleDefinitionIds: ["/providers/Microsoft.Authorization/roleDefinitions/17d1049b-9a84-46fb-8f53-869881c3d3ab"],
          conflictEffect: "audit",
          operations: [{ operation: "addOrReplace", field: "Microsoft.Storage/storageAccounts/minimumTlsVersion", value: "TLS1_2" }],
        },
      },
    },
  },
};

export const PUBLIC_POLICY = {
  properties: {
    displayName: "Storage accounts should disable public network access (Clarion draft)",
    policyType: "Custom",
    mode: "Indexed",
    metadata: { category: "Storage", version: "1.0.0" },
    parameters: { effect: { type: "String", allowedValues: ["Audit", "Deny", "Disabled"], defaultValue: "Audit" } },
    policyRule: {
      if: {
        allOf: [
          { field: "type", equals: "Microsoft.Storage/storageAccounts" },
          { field: "Microsoft.Storage/storageAccounts/publicNetworkAccess", notEquals: "Disabled" },
        ],
      },
      then: { effect: "[parameters('effect')]" },
    },
  },
};

export function storageAccount(sub: string, name: string, tls: string, env: string, publicAccess = "Enabled"): ArmResource {
  return {
    id: `/subscriptions/${sub}/resourceGroups/rg-${env}/providers/Microsoft.Storage/storageAccounts/${name}`,
    name,
    type: "Microsoft.Storage/storageAccounts",
    location: "eastus",
    subscriptionId: sub,
    resourceGroup: `rg-${env}`,
    tags: { environment: env },
    properties: { minimumTlsVersion: tls, publicNetworkAccess: publicAccess, supportsHttpsTrafficOnly: true },
  } as unknown as ArmResource;
}

export function findingFor(r: ArmResource, policy: unknown, over: Partial<Finding> = {}): Finding {
  const env = (r.tags as Record<string, string>)?.environment === "prod" ? "production" : "development";
  return {
    id: `F-${r.name}-${(policy as { properties: { displayName: string } }).properties.displayName.length}`,
    resourceId: r.id,
    resourceName: r.name,
    resourceType: r.type,
    subscriptionId: String(r.subscriptionId),
    resourceGroup: String(r.resourceGroup),
    environment: env,
    recommendation: {
      id: "rec-0001",
      name: (policy as { properties: { displayName: string } }).properties.displayName,
      severity: "High",
      category: "Storage",
      packId: "storage-tls",
    },
    status: "Unhealthy",
    risk: { score: 70, level: "high", factors: [] },
    owner: { name: "Alice", email: "alice@contoso.com", source: "resource-tag" },
    controls: [{ framework: "cis-azure", version: "2.0", controlId: "3.15" }],
    attackPaths: [],
    rootCause: null,
    explanation: {
      summary: `${r.name} accepts old TLS.`,
      businessImpact: "Downgrade attacks.",
      complianceImpact: "CIS 3.15",
      citations: [],
      engine: "offline",
      model: null,
      grounding: 1,
    },
    remediation: [{ kind: "azure-policy", content: JSON.stringify(policy), rollback: "az policy assignment delete ..." }],
    exemption: null,
    ...over,
  } as Finding;
}

export const GOVERNANCE: GovernanceConfig = parseGovernanceConfig({
  roles: [
    { principal: "ana", role: "analyst", scopes: ["/"] },
    { principal: "bob", role: "approver", scopes: ["/providers/Microsoft.Management/managementGroups/mg-all"] },
    { principal: "cara", role: "approver", scopes: [`/subscriptions/${SUB_PROD}`, `/subscriptions/${SUB_DEV}`] },
    { principal: "dan", role: "deployer", scopes: ["/"] },
    { principal: "eve", role: "viewer", scopes: ["/"] },
    { principal: "root", role: "admin", scopes: ["/"] },
    { principal: "ana", role: "approver", scopes: [`/subscriptions/${SUB_DEV}`] },
  ],
  managementGroups: {
    "mg-all": { subscriptions: [] },
    "mg-prod": { parent: "mg-all", subscriptions: [SUB_PROD] },
    "mg-dev": { parent: "mg-all", subscriptions: [SUB_DEV] },
  },
  rollout: [
    { scope: "/providers/Microsoft.Management/managementGroups/mg-prod", phase: "supervised" },
    { scope: `/subscriptions/${SUB_DEV}`, phase: "supervised" },
  ],
  blastRadiusLimit: 2,
  automaticFixKinds: ["policy-audit", "policy-modify"],
});

/** An in-memory store holding the estate and one finding per (resource, policy) pair given. */
export async function estateStore(
  pairs: [ArmResource, unknown][],
  extra: ArmResource[] = [],
): Promise<{ store: SqliteStore; findings: Finding[] }> {
  const store = new SqliteStore(":memory:");
  await store.migrate();
  return { store, findings: await fillEstate(store, pairs, extra) };
}

/** Writes the estate and one finding per (resource, policy) pair into any store; returns the findings. */
export async function fillEstate(store: Store, pairs: [ArmResource, unknown][], extra: ArmResource[] = []): Promise<Finding[]> {
  const findings = pairs.map(([r, p]) => findingFor(r, p));
  await store.replaceResources([...new Map([...pairs.map(([r]) => r), ...extra].map((r) => [r.id, r])).values()]);
  await store.replaceFindings(findings);
  return findings;
}
