import type { Finding } from "../domain/finding";
import type { ArmResource } from "../domain/resource";
import { SqliteStore } from "../store/sqlite-store";
import type { Store } from "../store/store";
import { afterAll } from "vitest";
import { type TestBackend, testBackends } from "../workflow/test-stores";
import { type GovernanceConfig, type PolicyWriteClient, parseGovernanceConfig } from "../workflow";
import { buildServer, type ClarionServer } from "./app";
import { ROLES, type Role } from "./rbac";

export const SUB_A = "11111111-1111-4111-8111-111111111111";
export const SUB_B = "22222222-2222-4222-8222-222222222222";
const SEV = ["High", "Medium", "Low"] as const;
const ENV = ["production", "development", "test"] as const;

/** A small, deterministic finding for API tests (shape as the pipeline writes it). */
export function makeFinding(i: number, over: Partial<Finding> = {}): Finding {
  const sub = i % 2 === 0 ? SUB_A : SUB_B;
  const name = `st${String(i).padStart(3, "0")}${i % 3 === 0 ? "prd" : "dev"}`;
  const resourceId = `/subscriptions/${sub}/resourceGroups/rg-${i % 4}/providers/Microsoft.Storage/storageAccounts/${name}`;
  const score = Math.round((95 - i * 1.7) * 100) / 100;
  const level = score >= 65 ? "critical" : score >= 45 ? "high" : score >= 25 ? "medium" : "low";
  return {
    id: `F-${String(i).padStart(12, "0")}`,
    resourceId,
    resourceName: name,
    resourceType: "microsoft.storage/storageaccounts",
    subscriptionId: sub,
    resourceGroup: `rg-${i % 4}`,
    environment: ENV[i % 3],
    recommendation: {
      id: `rec-${i % 5}`,
      name:
        i % 5 === 0
          ? "Secure transfer to storage accounts should be enabled"
          : `Storage accounts should restrict network access (${i % 5})`,
      severity: SEV[i % 3],
      category: "Data",
      policyDefinitionId: "/providers/Microsoft.Authorization/policyDefinitions/404c3081-a854-4457-ae30-26a93ef643f9",
      packId: "storage-secure-transfer",
    },
    status: "Unhealthy",
    risk: {
      score,
      level,
      factors: [
        { name: "severity", value: SEV[i % 3], weight: 25, points: 25, reason: `Defender rates this recommendation ${SEV[i % 3]}` },
      ],
    },
    owner: {
      name: i % 2 ? "payments-team@contoso.example" : "web-team@contoso.example",
      email: i % 2 ? "payments-team@contoso.example" : "web-team@contoso.example",
      source: "resource-tag",
    },
    controls: [
      { framework: "mcsb", version: "1.0", controlId: "DP-3" },
      ...(i % 2 ? [{ framework: "nist-800-53-r5", version: "Rev. 5", controlId: "SC-8" }] : []),
    ],
    attackPaths: [],
    rootCause: null,
    explanation: {
      summary: `${name} accepts unencrypted HTTP requests.`,
      businessImpact: "Data sent over plain HTTP can be read or altered on the way.",
      complianceImpact: "Maps to MCSB DP-3 (encrypt data in transit).",
      recommendedAction: "Require secure transfer.",
      citations: [{ factId: "resource.name", value: name, source: "inventory" }],
      engine: "offline-v1",
      model: null,
      grounding: 1,
    },
    remediation: [
      {
        kind: "az-cli",
        content: `az storage account update --name ${name} --https-only true`,
        rollback: `az storage account update --name ${name} --https-only false`,
      },
      {
        kind: "azure-policy",
        content: JSON.stringify({
          properties: {
            displayName: "Secure transfer to storage accounts should be enabled (test)",
            mode: "Indexed",
            parameters: { effect: { type: "String", allowedValues: ["Audit", "Deny", "Disabled"], defaultValue: "Audit" } },
            policyRule: {
              if: {
                allOf: [
                  { field: "type", equals: "Microsoft.Storage/storageAccounts" },
                  { field: "Microsoft.Storage/storageAccounts/supportsHttpsTrafficOnly", notEquals: true },
                ],
              },
              // biome-ignore lint/suspicious/noThenProperty: Azure Policy rule syntax
              then: { effect: "[parameters('effect')]" },
            },
          },
        }),
        rollback: "az policy assignment delete --name test",
      },
    ],
    exemption: null,
    dossier: [{ id: "resource.name", value: name, source: "inventory" }],
    ...over,
  };
}

export function makeResource(i: number, httpsOnly: boolean): ArmResource {
  const f = makeFinding(i);
  return {
    id: f.resourceId,
    name: f.resourceName,
    type: "Microsoft.Storage/storageAccounts",
    location: "westeurope",
    subscriptionId: f.subscriptionId,
    resourceGroup: f.resourceGroup,
    tags: { environment: f.environment },
    properties: { supportsHttpsTrafficOnly: httpsOnly },
  } as unknown as ArmResource;
}

export interface TestServer {
  app: ClarionServer;
  store: Store;
  tokens: Record<Role, string>;
  auth: (role: Role) => { authorization: string };
  close: () => Promise<void>;
}

export interface TestServerOptions {
  now?: () => Date;
  governance?: GovernanceConfig;
  policy?: PolicyWriteClient;
  webhookToken?: string;
  /** Where the store lives: a test backend (src/workflow/test-stores.ts: SQLite file or PostgreSQL schema); default SQLite in memory. */
  backend?: TestBackend;
  /** SQLite only: false answers pages on the portable path (as on PostgreSQL). */
  fastPath?: boolean;
}

/** A fresh store with `n` findings, a run, resources, and one token per role. */
export async function testServer(n = 40, opts: TestServerOptions = {}): Promise<TestServer> {
  let store: Store;
  if (opts.backend) store = await opts.backend.open();
  else {
    store = new SqliteStore(":memory:");
    await store.migrate();
  }
  const findings = Array.from({ length: n }, (_, i) => makeFinding(i));
  await store.replaceFindings(findings);
  await store.replaceResources(Array.from({ length: n }, (_, i) => makeResource(i, i % 4 === 3)));
  await store.saveRun({
    id: "run-1",
    startedAt: "2026-12-01T10:00:00.000Z",
    finishedAt: "2026-12-01T10:01:00.000Z",
    source: "test",
    summary: {
      generatedAt: "2026-12-01T10:00:00.000Z",
      counts: { findings: n },
      bySeverity: { High: 10 },
      byRiskLevel: { critical: 5 },
      secureScore: [{ subscriptionId: SUB_A, name: "A", current: 10, max: 20, percentage: 0.5 }],
    },
  });
  await store.appendAudit([
    { time: "2026-12-01T10:01:00.000Z", actor: "clarion", action: "run.finished", subject: "run-1", digest: "x", details: {} },
  ]);
  const app = await buildServer({
    store,
    webDist: false,
    now: opts.now,
    // No governance file: each token's role applies on its scope (or the whole estate).
    governance: opts.governance ?? parseGovernanceConfig({}),
    policy: opts.policy,
    webhookToken: opts.webhookToken ?? "",
    fastPath: opts.fastPath,
  });
  const tokens = {} as Record<Role, string>;
  for (const r of ROLES) tokens[r] = (await app.clarion.tokens.create({ name: `${r}-user`, role: r })).token;
  return {
    app,
    store,
    tokens,
    auth: (role) => ({ authorization: `Bearer ${tokens[role]}` }),
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}

/** One way to run the server in tests: its store's backend and, on SQLite, which page path. */
export interface ServerVariant {
  name: "sqlite" | "sqlite-portable" | "postgres";
  opts: Pick<TestServerOptions, "backend" | "fastPath">;
}

/**
 * The stores a server suite runs on: SQLite (the B5 fast path), optionally SQLite on the portable path, and
 * PostgreSQL in a throw-away schema per server when it is reachable (skipped visibly otherwise, see
 * src/workflow/test-stores.ts). Call while the test file is collected; stores are dropped after the file.
 */
export function serverVariants(label: string, o: { portableSqlite?: boolean } = {}): ServerVariant[] {
  const backends = testBackends(label);
  afterAll(async () => {
    for (const b of backends) await b.cleanup();
  });
  const out: ServerVariant[] = [];
  for (const b of backends) {
    if (b.name === "postgres") out.push({ name: "postgres", opts: { backend: b } });
    else {
      out.push({ name: "sqlite", opts: { backend: b } });
      if (o.portableSqlite) out.push({ name: "sqlite-portable", opts: { backend: b, fastPath: false } });
    }
  }
  return out;
}
