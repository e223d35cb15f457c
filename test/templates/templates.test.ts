import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { readRules, renderArm } from "../../deploy/sentinel/build-analytics-arm";
import { toSentinelRow } from "../../src/delivery/sentinel-row";
import { REPO_ROOT } from "../../src/testing/shared";
import { armProblems, bicepProblems, parseBicep, strings } from "./arm";
import { checkKql, sentinelColumns, TABLE } from "./kql";

const read = (p: string) => readFileSync(join(REPO_ROOT, p), "utf8");
const json = (p: string) => JSON.parse(read(p)) as Record<string, any>;
const SENTINEL = "deploy/sentinel";

describe("KQL checker", () => {
  it("knows exactly the columns Clarion writes (the Sentinel row of a finding)", () => {
    const finding = JSON.parse(read("schemas/finding.schema.json")).properties as Record<string, unknown>;
    const sample = Object.fromEntries(Object.keys(finding).map((k) => [k, null]));
    const row = toSentinelRow(sample as never, "2026-01-01T00:00:00Z");
    expect(
      sentinelColumns()
        .map((c) => c.name)
        .sort(),
    ).toEqual(Object.keys(row).sort());
  });

  it("rejects syntax errors, unknown columns and keyword misuse", () => {
    expect(checkKql(`${TABLE} | where Status == "Unhealthy" | project Id`).errors).toEqual([]);
    expect(checkKql(`${TABLE} | where Severity == "High"`).errors.join()).toMatch(/Severity/);
    expect(checkKql(`${TABLE} | wher Id == "x"`).errors.length).toBeGreaterThan(0);
    expect(checkKql(`${TABLE} | extend t = todatetime(RootCause.time)`).errors.length).toBeGreaterThan(0);
  });
});

describe("Sentinel analytics rules", () => {
  const rules = readRules();
  it("has rules for new critical findings and for anomalies", () => {
    expect(rules.map((r) => r.rule.name).join(" | ")).toMatch(/critical/i);
    expect(rules.map((r) => r.rule.name).join(" | ")).toMatch(/anomal|regression/i);
    expect(new Set(rules.map((r) => r.rule.id)).size).toBe(rules.length);
  });

  for (const { file, rule } of rules)
    it(`${file}: complete, parses, and maps only columns the query returns`, () => {
      for (const k of [
        "id",
        "name",
        "description",
        "severity",
        "queryFrequency",
        "queryPeriod",
        "triggerOperator",
        "tactics",
        "query",
        "version",
        "kind",
      ])
        expect(rule, k).toHaveProperty(k);
      expect(rule.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(["High", "Medium", "Low", "Informational"]).toContain(rule.severity);
      expect(rule.kind).toBe("Scheduled");
      const { errors, columns } = checkKql(rule.query);
      expect(errors).toEqual([]);
      expect(rule.query).toContain(TABLE);
      const mapped = [
        ...(rule.entityMappings ?? []).flatMap((e) => e.fieldMappings.map((f) => f.columnName)),
        ...Object.values(rule.customDetails ?? {}),
        ...Object.values(rule.alertDetailsOverride ?? {}).flatMap((s) => [...String(s).matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1])),
      ];
      expect(mapped.length).toBeGreaterThan(0);
      for (const c of mapped) expect(columns, `${c} is not an output column`).toContain(c);
    });

  it("analytics-rules.json is the current build of the YAML and a valid ARM template", () => {
    expect(read(`${SENTINEL}/analytics-rules.json`)).toBe(renderArm());
    const arm = json(`${SENTINEL}/analytics-rules.json`);
    expect(armProblems(arm)).toEqual([]);
    expect(arm.resources).toHaveLength(rules.length);
    for (const r of arm.resources) {
      expect(r.type).toBe("Microsoft.SecurityInsights/alertRules");
      expect(r.properties.queryFrequency).toMatch(/^PT?\d+[MHD]$/);
      expect(checkKql(r.properties.query).errors).toEqual([]);
    }
  });
});

describe("Sentinel workbook", () => {
  const wb = json(`${SENTINEL}/workbook.json`);
  const params = wb.items.find((i: any) => i.type === 9)?.content.parameters ?? [];

  /** What the workbook engine substitutes before running a query, per parameter type. */
  const substitute = (q: string) =>
    q.replace(/\{(\w+)(?::[\w]+)?\}/g, (m, name) => {
      const p = params.find((x: any) => x.name === name);
      if (!p) throw new Error(`query references undefined parameter ${m}`);
      return p.type === 4 ? "> ago(7d)" : p.type === 2 ? "'*'" : "'x'";
    });

  it("has the workbook shape (Notebook/1.0, typed items, a parameters block)", () => {
    expect(wb.version).toBe("Notebook/1.0");
    expect(Array.isArray(wb.items)).toBe(true);
    for (const it of wb.items) {
      expect([1, 3, 9, 10, 11, 12]).toContain(it.type);
      expect(it.content).toBeTypeOf("object");
      expect(it.name).toBeTypeOf("string");
    }
    expect(params.map((p: any) => p.name)).toEqual(expect.arrayContaining(["TimeRange", "Subscription"]));
    expect(new Set(wb.items.map((i: any) => i.name)).size).toBe(wb.items.length);
  });

  it("every query (tiles and parameter dropdowns) parses over the columns Clarion writes", () => {
    const queries = [
      ...wb.items.filter((i: any) => i.type === 3).map((i: any) => [i.name, i.content.query]),
      ...params.filter((p: any) => p.query && p.queryType === 0).map((p: any) => [`param ${p.name}`, p.query]),
    ];
    expect(queries.length).toBeGreaterThanOrEqual(6);
    for (const [name, q] of queries) {
      const { errors } = checkKql(substitute(q));
      expect(errors, name).toEqual([]);
    }
  });

  it("workbook.bicep loads workbook.json and passes the structural checks", () => {
    const b = parseBicep(read(`${SENTINEL}/workbook.bicep`));
    expect(bicepProblems(b)).toEqual([]);
    expect(b.resources.map((r) => r.type)).toEqual(["Microsoft.Insights/workbooks"]);
    for (const m of b.text.matchAll(/loadTextContent\('([^']+)'\)/g)) expect(existsSync(join(REPO_ROOT, SENTINEL, m[1]))).toBe(true);
  });
});

describe("Sentinel playbook (Logic App)", () => {
  const arm = json(`${SENTINEL}/playbook-clarion-webhook.json`);
  const wf = arm.resources.find((r: any) => r.type === "Microsoft.Logic/workflows");
  const def = wf.properties.definition;

  it("is a valid ARM template", () => {
    expect(armProblems(arm)).toEqual([]);
  });

  it("has a Sentinel incident trigger and posts to Clarion's webhook", () => {
    expect(def.$schema).toMatch(/Microsoft\.Logic\/schemas\/2016-06-01\/workflowdefinition\.json#$/);
    const triggers = Object.values(def.triggers) as any[];
    expect(triggers).toHaveLength(1);
    expect(triggers[0].type).toBe("ApiConnectionWebhook");
    expect(triggers[0].inputs.path).toBe("/incident-creation");
    const http = Object.values(def.actions).find((a: any) => a.type === "Http") as any;
    expect(http.inputs.method).toBe("POST");
    expect(http.inputs.uri).toBe("@parameters('clarionWebhookUrl')");
    expect(http.inputs.headers.Authorization).toContain("clarionWebhookToken");
    expect(def.parameters.clarionWebhookToken.type).toBe("SecureString");
  });

  it("references only defined actions and workflow parameters", () => {
    const actions = Object.keys(def.actions);
    for (const a of Object.values(def.actions) as any[]) {
      expect(["Http", "ApiConnection", "If", "Foreach", "Compose", "Scope"]).toContain(a.type);
      for (const dep of Object.keys(a.runAfter ?? {})) expect(actions).toContain(dep);
    }
    for (const { path, value } of strings(def))
      for (const m of value.matchAll(/parameters\('([^']+)'\)/g)) expect(Object.keys(def.parameters), path).toContain(m[1]);
    for (const { value } of strings(def)) for (const m of value.matchAll(/outputs\('([^']+)'\)/g)) expect(actions).toContain(m[1]);
    for (const k of Object.keys(wf.properties.parameters)) expect(Object.keys(def.parameters)).toContain(k);
  });

  it("runs from a Sentinel automation rule on Clarion incidents", () => {
    const rule = arm.resources.find((r: any) => r.type === "Microsoft.SecurityInsights/automationRules");
    expect(rule.properties.triggeringLogic.triggersOn).toBe("Incidents");
    expect(rule.properties.actions[0].actionType).toBe("RunPlaybook");
    expect(rule.properties.actions[0].actionConfiguration.logicAppResourceId).toContain("Microsoft.Logic/workflows");
    // the rule's title condition matches the incidents Clarion's analytics rules raise
    const prefix = rule.properties.triggeringLogic.conditions[0].conditionProperties.propertyValues[0];
    for (const { rule: r } of readRules())
      expect(r.alertDetailsOverride?.alertDisplayNameFormat.startsWith(prefix) || r.name.startsWith(prefix)).toBe(true);
  });
});

describe("the table/DCR templates (written beside these) agree with the row", () => {
  const files = existsSync(join(REPO_ROOT, SENTINEL))
    ? readdirSync(join(REPO_ROOT, SENTINEL)).filter((f) => /table|dcr/i.test(f) && f.endsWith(".json"))
    : [];
  it.skipIf(!files.length)("declare only columns Clarion writes", () => {
    const known = new Set(sentinelColumns().map((c) => c.name));
    for (const f of files) {
      const cols = strings(json(`${SENTINEL}/${f}`))
        .filter((s) => /\/columns\/\d+\/name$/.test(s.path))
        .map((s) => s.value);
      for (const c of cols) if (!c.startsWith("_")) expect(known, `${f}: ${c}`).toContain(c);
    }
  });
});

describe("Azure deployment (deploy/azure)", () => {
  const main = parseBicep(read("deploy/azure/main.bicep"));
  const roles = parseBicep(read("deploy/azure/roles.bicep"));

  it("passes the structural checks, and the checks catch a broken reference", () => {
    expect(bicepProblems(main)).toEqual([]);
    expect(bicepProblems(roles)).toEqual([]);
    const broken = parseBicep(
      read("deploy/azure/main.bicep").replace("identity.properties.principalId", "identiti.properties.principalId"),
    );
    expect(bicepProblems(broken)).toContain("unknown identifier 'identiti'");
    for (const m of main.modules) expect(existsSync(join(REPO_ROOT, "deploy/azure", m.path)), m.path).toBe(true);
  });

  it("runs Clarion on Container Apps with a user-assigned identity and Key Vault secrets", () => {
    const types = main.resources.map((r) => r.type);
    for (const t of [
      "Microsoft.App/containerApps",
      "Microsoft.App/managedEnvironments",
      "Microsoft.ManagedIdentity/userAssignedIdentities",
      "Microsoft.KeyVault/vaults",
    ])
      expect(types).toContain(t);
    const app = main.resources.find((r) => r.type === "Microsoft.App/containerApps")!;
    expect(app.body).toMatch(/type: 'UserAssigned'/);
    expect(main.text).toMatch(/secrets: concat\(baseSecrets/);
    expect(main.text).toMatch(/keyVaultUrl: mcpTokenSecret\.properties\.secretUri/);
    expect(main.resources.find((r) => r.type === "Microsoft.KeyVault/vaults")!.body).toMatch(/enableRbacAuthorization: true/);
    for (const p of ["mcpToken", "webhookToken", "llmApiKey"]) expect(main.params.get(p)?.decorators).toContain("@secure()");
    // the container listens where ingress and probes point
    const port = /EXPOSE (\d+)/.exec(read("Dockerfile"))?.[1];
    expect(app.body).toContain(`targetPort: ${port}`);
    expect(app.body).toContain("path: '/healthz'");
  });

  it("grants least privilege: Reader + Security Reader; Resource Policy Contributor only with enableDeployment", () => {
    const byRole = new Map<string, (typeof roles.resources)[number]>();
    for (const r of roles.resources) {
      expect(r.type).toBe("Microsoft.Authorization/roleAssignments");
      const v = /roleDefinitionId: subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', (\w+)\)/.exec(r.body)?.[1];
      const id = v && new RegExp(`var ${v} = '([0-9a-f-]{36})'`).exec(roles.text)?.[1];
      expect(id, r.symbol).toBeTruthy();
      byRole.set(id as string, r);
    }
    const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
    const SECURITY_READER = "39bc4728-0917-49c7-9d2c-d95423bc2eb4";
    const POLICY_CONTRIBUTOR = "36243c78-bf99-498c-9df9-86d9f8d28608";
    expect([...byRole.keys()].sort()).toEqual([READER, SECURITY_READER, POLICY_CONTRIBUTOR].sort());
    expect(byRole.get(READER)!.condition).toBeNull();
    expect(byRole.get(SECURITY_READER)!.condition).toBeNull();
    expect(byRole.get(POLICY_CONTRIBUTOR)!.condition).toBe("enableDeployment");
    expect(roles.targetScope).toBe("subscription");
    expect(/param enableDeployment bool = false/.test(roles.text) && /param enableDeployment bool = false/.test(main.text)).toBe(true);
    // no broad roles anywhere
    const all = `${main.text}\n${roles.text}`;
    for (const broad of [
      "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
      "b24988ac-6180-42a0-ab88-20f7382dd24c",
      "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    ])
      expect(all, "Owner / Contributor / User Access Administrator").not.toContain(broad);
  });
});

describe("Dockerfile", () => {
  const text = read("Dockerfile");
  const ins = text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((l) => ({ op: l.split(/\s+/)[0].toUpperCase(), args: l.slice(l.indexOf(" ") + 1).trim() }));
  const stages = ins.filter((i) => i.op === "FROM");
  const final = ins.slice(ins.lastIndexOf(stages[stages.length - 1]));
  const ignored = read(".dockerignore")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));

  it("builds on Node 20 and installs production dependencies with npm ci --omit=dev", () => {
    for (const s of stages) expect(s.args).toMatch(/^node:20[-.\w]*/);
    expect(ins.some((i) => i.op === "RUN" && /npm ci --omit=dev/.test(i.args))).toBe(true);
    const finalCopyDeps = final.find((i) => i.op === "COPY" && /node_modules/.test(i.args));
    const depsStage = /--from=(\w+)/.exec(finalCopyDeps?.args ?? "")?.[1];
    const depsIdx = ins.findIndex((i) => i.op === "FROM" && i.args.endsWith(`AS ${depsStage}`));
    const depsEnd = ins.findIndex((i, k) => k > depsIdx && i.op === "FROM");
    expect(ins.slice(depsIdx, depsEnd).some((i) => /npm ci --omit=dev/.test(i.args))).toBe(true);
  });

  it("runs `clarion serve` as a non-root user", () => {
    const user = final.filter((i) => i.op === "USER").pop();
    expect(user?.args).not.toMatch(/^(root|0)$/);
    const cmd = JSON.parse(final.filter((i) => i.op === "CMD").pop()!.args);
    expect(cmd).toEqual(["serve"]);
    const entry = JSON.parse(final.filter((i) => i.op === "ENTRYPOINT").pop()!.args)[0];
    const copied = final.find((i) => i.op === "COPY" && i.args.endsWith(entry))!;
    const script = read(copied.args.split(/\s+/)[0]);
    expect(script).toMatch(/exec clarion serve/);
    expect(script).toMatch(/--host 0\.0\.0\.0/);
  });

  it("copies only paths that exist and that .dockerignore keeps", () => {
    for (const c of ins.filter((i) => i.op === "COPY" && !i.args.startsWith("--from"))) {
      const srcs = c.args.split(/\s+/).slice(0, -1);
      for (const s of srcs) {
        expect(existsSync(join(REPO_ROOT, s)), s).toBe(true);
        expect(ignored.includes(s) || ignored.includes(s.split("/")[0]), `${s} is excluded by .dockerignore`).toBe(false);
      }
    }
    // what the runtime reads besides src: packs, frameworks, schemas, bin
    for (const dir of ["bin", "src", "packs", "frameworks", "schemas"])
      expect(final.some((i) => i.op === "COPY" && i.args.startsWith(`${dir} `))).toBe(true);
    for (const secret of [".env", "clarion-out", "node_modules", ".git"]) expect(ignored).toContain(secret);
  });
});
