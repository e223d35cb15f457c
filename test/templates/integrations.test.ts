import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { changedPolicyFiles, runPolicyCi } from "../../integrations/policy-ci";
import { locatePointer, SARIF_SCHEMA, toSarif } from "../../integrations/sarif-policy";
import { REPO_ROOT } from "../../src/testing/shared";

const dir = mkdtempSync(join(tmpdir(), "clarion-ci-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const policy = (alias: string, effect = "Deny") =>
  `${JSON.stringify(
    {
      properties: {
        displayName: "Storage accounts use HTTPS only",
        mode: "Indexed",
        policyRule: {
          if: {
            allOf: [
              { field: "type", equals: "Microsoft.Storage/storageAccounts" },
              { field: alias, notEquals: true },
            ],
          },
          // biome-ignore lint/suspicious/noThenProperty: Azure Policy's own key
          then: { effect },
        },
      },
    },
    null,
    2,
  )}\n`;
const GOOD = "Microsoft.Storage/storageAccounts/supportsHttpsTrafficOnly";
const sa = (name: string, https: boolean) => ({
  id: `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/${name}`,
  name,
  type: "microsoft.storage/storageaccounts",
  location: "westeurope",
  subscriptionId: "00000000-0000-0000-0000-000000000001",
  resourceGroup: "rg",
  tags: {},
  properties: { supportsHttpsTrafficOnly: https },
});

describe("SARIF for policy checks", () => {
  it("locates a JSON pointer's line", () => {
    const text = policy(`${GOOD}y`);
    const { line } = locatePointer(text, "/properties/policyRule/if/allOf/1/field");
    expect(text.split("\n")[line - 1]).toContain(`${GOOD}y`);
    expect(text.split("\n")[locatePointer(text, "/properties/policyRule/then/effect").line - 1]).toContain('"effect"');
  });

  it("is SARIF 2.1.0 with one error per validation problem, located in the file", () => {
    const f = join(dir, "bad.json");
    writeFileSync(f, policy(`${GOOD}y`));
    const s = toSarif(
      [{ file: f, valid: false, errors: [{ pointer: "/properties/policyRule/if/allOf/1/field", message: "unknown alias" }], warnings: [] }],
      [],
      { root: dir },
    ) as any;
    expect(s.$schema).toBe(SARIF_SCHEMA);
    expect(s.version).toBe("2.1.0");
    const run = s.runs[0];
    const ids = run.tool.driver.rules.map((r: any) => r.id);
    expect(run.results).toHaveLength(1);
    const r = run.results[0];
    expect(r.level).toBe("error");
    expect(ids[r.ruleIndex]).toBe(r.ruleId);
    expect(r.locations[0].physicalLocation.artifactLocation.uri).toBe("bad.json");
    expect(readFileSync(f, "utf8").split("\n")[r.locations[0].physicalLocation.region.startLine - 1]).toContain(`${GOOD}y`);
  });
});

describe("policy-ci (what the GitHub Action and the Azure DevOps task run)", () => {
  it("validates and what-ifs through the clarion CLI and reports both", () => {
    mkdirSync(join(dir, "policies"), { recursive: true });
    writeFileSync(join(dir, "policies/good.json"), policy(GOOD));
    writeFileSync(join(dir, "policies/bad.json"), policy(`${GOOD}y`));
    writeFileSync(join(dir, "inventory.json"), JSON.stringify({ data: [sa("sthttp", false), sa("sthttps", true), sa("stother", false)] }));
    const r = runPolicyCi({ cwd: dir, files: ["policies/good.json", "policies/bad.json"], inputs: ["inventory.json"] });
    expect(r.invalid).toBe(1);
    expect(r.validate.find((v) => v.file.endsWith("bad.json"))?.errors[0].pointer).toBe("/properties/policyRule/if/allOf/1/field");
    expect(r.whatifs).toHaveLength(1);
    expect(r.whatifs[0].impact.count).toBe(2); // the two HTTP-only accounts would be denied
    const results = (r.sarif as any).runs[0].results;
    expect(results.map((x: any) => x.ruleId).sort()).toEqual(["CLARION-POLICY-IMPACT", "CLARION-POLICY-INVALID"]);
    expect(r.summary).toMatch(/\| policies\/bad\.json \| \*\*no\*\*/);
  }, 60_000);

  it("finds the policy files a branch changed", () => {
    const repo = join(dir, "repo");
    mkdirSync(join(repo, "policies"), { recursive: true });
    const git = (...a: string[]) =>
      execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...a], { cwd: repo, encoding: "utf8" });
    git("init", "-q", "-b", "main");
    writeFileSync(join(repo, "policies/a.json"), policy(GOOD));
    writeFileSync(join(repo, "policies/b.json"), policy(GOOD));
    git("add", ".");
    git("commit", "-qm", "base");
    git("checkout", "-qb", "pr");
    writeFileSync(join(repo, "policies/b.json"), policy(GOOD, "Audit"));
    writeFileSync(join(repo, "policies/c.json"), policy(GOOD));
    writeFileSync(join(repo, "README.json"), "{}");
    git("add", ".");
    git("commit", "-qm", "change");
    expect(changedPolicyFiles("main", ["policies"], repo).sort()).toEqual(["policies/b.json", "policies/c.json"]);
  });
});

describe("CI definitions", () => {
  it("the GitHub Action is a composite action that runs policy-ci and uploads SARIF", () => {
    const a = YAML.parse(readFileSync(join(REPO_ROOT, "integrations/github-action/action.yml"), "utf8"));
    expect(a.runs.using).toBe("composite");
    for (const s of a.runs.steps) expect(s.uses || s.shell, JSON.stringify(s)).toBeTruthy();
    const run = a.runs.steps.map((s: any) => s.run ?? "").join("\n");
    expect(run).toContain("integrations/clarion-policy-check.mjs");
    expect(run).toMatch(/npm ci --omit=dev/);
    expect(a.runs.steps.some((s: any) => String(s.uses).startsWith("github/codeql-action/upload-sarif@"))).toBe(true);
    // every ${{ inputs.x }} is declared
    for (const m of JSON.stringify(a.runs).matchAll(/inputs\.([\w-]+)/g)) expect(Object.keys(a.inputs)).toContain(m[1]);
  });

  it("the Azure DevOps task declares its inputs and a Node 20 entry that exists", () => {
    const t = JSON.parse(readFileSync(join(REPO_ROOT, "integrations/azure-devops/task.json"), "utf8"));
    expect(t.id).toMatch(/^[0-9a-f-]{36}$/);
    for (const k of ["name", "friendlyName", "description", "version", "instanceNameFormat", "inputs", "execution"])
      expect(t).toHaveProperty(k);
    const target = t.execution.Node20_1.target;
    const script = readFileSync(join(REPO_ROOT, "integrations/azure-devops", target), "utf8");
    for (const i of t.inputs) expect(script, i.name).toContain(`input("${i.name}"`);
    expect(script).toContain("clarion-policy-check.mjs");
    expect(script).toMatch(/##vso\[|vso\("artifact\.upload"/);
  });
});
