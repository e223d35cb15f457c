import { describe, expect, it } from "vitest";
import { compilePolicy, evaluate, parsePolicy, validatePolicy, whatIf } from "./index";

const SA = "Microsoft.Storage/storageAccounts";
const sa = (props: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id: "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/st1",
  name: "st1",
  type: "microsoft.storage/storageaccounts",
  location: "westeurope",
  resourceGroup: "rg1",
  subscriptionId: "s1",
  tags: { environment: "Production" },
  properties: props,
  ...extra,
});

function rule(cond: unknown, effect = "audit", extra: Record<string, unknown> = {}) {
  return { mode: "All", policyRule: { if: cond, then: { effect } }, ...extra };
}
function run(cond: unknown, res: Record<string, unknown>) {
  const { definition, errors } = parsePolicy(rule(cond));
  expect(errors).toEqual([]);
  return evaluate(compilePolicy(definition!), res).result;
}

describe("[*] alias semantics (api-contracts 3.5a)", () => {
  const ipRules = [
    { value: "127.0.0.1", action: "Allow" },
    { value: "192.168.1.1", action: "Allow" },
  ];
  const field = `${SA}/networkAcls.ipRules[*].value`;
  const guard = { field: `${SA}/networkAcls.ipRules`, exists: "true" };
  const table: [unknown, boolean][] = [
    [{ field, notEquals: "127.0.0.1" }, false],
    [{ field, notEquals: "10.0.4.1" }, true],
    [{ not: { field, notEquals: "127.0.0.1" } }, true],
    [{ not: { field, notEquals: "10.0.4.1" } }, false],
    [{ not: { field, Equals: "127.0.0.1" } }, true],
    [{ not: { field, Equals: "10.0.4.1" } }, true],
    [{ field, Equals: "127.0.0.1" }, false],
    [{ field, Equals: "10.0.4.1" }, false],
  ];
  it.each(table.map((t, i) => [i, ...t] as const))("docs row %i", (_i, cond, effect) => {
    const r = run({ allOf: [guard, cond] }, sa({ networkAcls: { ipRules } }));
    expect(r).toBe(effect ? "noncompliant" : "compliant");
  });
  it("empty and missing arrays: field condition is true, not-wrapped false", () => {
    expect(run({ field, equals: "x" }, sa({ networkAcls: { ipRules: [] } }))).toBe("noncompliant");
    expect(run({ field, equals: "x" }, sa({}))).toBe("noncompliant");
    expect(run({ not: { field, equals: "x" } }, sa({ networkAcls: { ipRules: [] } }))).toBe("compliant");
  });
  it("count with where sees only the current member; nested counts; field() one-element array", () => {
    const arr = `${SA}/networkAcls.ipRules[*]`;
    const res = sa({ networkAcls: { ipRules } });
    const cnt = (where: unknown, op: Record<string, unknown>) => run({ count: { field: arr, where }, ...op }, res);
    expect(cnt({ field: `${arr}.value`, equals: "127.0.0.1" }, { equals: 1 })).toBe("noncompliant");
    expect(cnt({ field: "tags['environment']", equals: "production" }, { equals: 2 })).toBe("noncompliant");
    expect(cnt({ field: `${arr}.value`, equals: `[field('${arr}.value')]` }, { equals: 0 })).toBe("noncompliant");
    expect(cnt({ field: `${arr}.value`, equals: `[first(field('${arr}.value'))]` }, { equals: 2 })).toBe("noncompliant");
    expect(cnt({ value: "[current('" + arr + "').action]", equals: "Allow" }, { equals: 2 })).toBe("noncompliant");
    expect(run({ count: { field: arr }, equals: 0 }, sa({}))).toBe("noncompliant");
  });
  it("value count with name and current()", () => {
    const cond = {
      count: { value: ["st*", "dev*"], name: "pattern", where: { field: "name", like: "[current('pattern')]" } },
      greater: 0,
    };
    expect(run(cond, sa({}))).toBe("noncompliant");
    expect(run(cond, sa({}, { name: "xyz" }))).toBe("compliant");
  });
});

describe("operators", () => {
  const r = sa({ minimumTlsVersion: "TLS1_0", supportsHttpsTrafficOnly: false, n: 5, created: "2024-01-02T00:00:00Z" });
  const f = (p: string) => `${SA}/${p}`;
  it.each([
    [{ field: f("minimumTlsVersion"), equals: "tls1_0" }, true],
    [{ field: f("supportsHttpsTrafficOnly"), equals: "false" }, true],
    [{ field: f("minimumTlsVersion"), like: "TLS1_*" }, true],
    [{ field: f("minimumTlsVersion"), match: "TLS#_#" }, true],
    [{ field: f("minimumTlsVersion"), match: "tls#_#" }, false],
    [{ field: f("minimumTlsVersion"), matchInsensitively: "tls#_#" }, true],
    [{ field: f("minimumTlsVersion"), in: ["TLS1_2", "tls1_0"] }, true],
    [{ field: f("minimumTlsVersion"), notIn: ["TLS1_2"] }, true],
    [{ field: f("minimumTlsVersion"), contains: "s1" }, true],
    [{ field: "tags", containsKey: "ENVIRONMENT" }, true],
    [{ field: f("allowBlobPublicAccess"), exists: false }, true],
    [{ field: f("allowBlobPublicAccess"), notEquals: "x" }, true],
    [{ field: "location", equals: "West Europe" }, false],
    [{ field: "location", equals: "westeurope" }, true],
    [{ value: "[ipRangeContains('10.0.0.0/8', '10.1.2.3')]", equals: true }, true],
    [{ value: "[padLeft(string(add(1, 2)), 3, '0')]", equals: "003" }, true],
    [{ value: "[if(empty(field('" + f("allowBlobPublicAccess") + "')), 'none', 'some')]", equals: "none" }, true],
  ])("%j -> %s", (cond, expected) => {
    expect(run(cond, r)).toBe(expected ? "noncompliant" : "compliant");
  });
  it("type mismatch in less is errored, with reason", () => {
    const { definition } = parsePolicy(rule({ field: `${SA}/networkAcls`, less: 3 }));
    const ev = evaluate(compilePolicy(definition!), sa({ networkAcls: { a: 1 } }));
    expect(ev.result).toBe("errored");
    expect(ev.reason).toMatch(/cannot compare object/);
  });
  it("requestContext().identity is not evaluable offline", () => {
    const { definition } = parsePolicy(rule({ value: "[requestContext().identity.appid]", equals: "x" }));
    const ev = evaluate(compilePolicy(definition!), sa({}));
    expect(ev.result).toBe("errored");
    expect(ev.reason).toMatch(/not evaluable offline/);
  });
});

describe("validation", () => {
  it("unknown alias suggests the closest, with a JSON pointer", () => {
    const v = validatePolicy({ properties: rule({ field: `${SA}/minimumTlsVersoin`, equals: "TLS1_2" }) });
    expect(v.valid).toBe(false);
    expect(v.errors[0].pointer).toBe("/properties/policyRule/if/field");
    expect(v.errors[0].message).toContain("Microsoft.Storage/storageAccounts/minimumTlsVersion");
  });
  it("reports bad operator, effect, parameter default and disallowed function", () => {
    const v = validatePolicy({
      mode: "Indexed",
      parameters: { effect: { type: "String", allowedValues: ["Audit"], defaultValue: "Deny" } },
      policyRule: {
        if: {
          allOf: [
            { field: "type", equal: "x" },
            { value: "[reference('x')]", equals: 1 },
          ],
        },
        then: { effect: "smite" },
      },
    });
    const msgs = v.errors.map((e) => `${e.pointer} ${e.message}`).join("\n");
    expect(msgs).toMatch(/parameters\/effect\/defaultValue/);
    expect(msgs).toMatch(/unknown operator 'equal'/);
    expect(msgs).toMatch(/reference' is not allowed/);
    expect(msgs).toMatch(/unknown effect 'smite'/);
  });
  it("unknown type resolves by the default rule with a warning", () => {
    const v = validatePolicy(rule({ field: "Contoso.Widgets/gadgets/color", equals: "red" }));
    expect(v.valid).toBe(true);
    expect(v.warnings.join()).toMatch(/default rule/);
  });
  it("provider modes validate but are refused by whatIf", () => {
    const p = { mode: "Microsoft.Kubernetes.Data", policyRule: { if: { field: "type", equals: "x" }, then: { effect: "audit" } } };
    expect(validatePolicy(p).valid).toBe(true);
    expect(() => whatIf(p, [])).toThrow(/resource-provider mode/);
  });
});

describe("whatIf", () => {
  const policy = {
    properties: {
      displayName: "deny open storage",
      mode: "Indexed",
      parameters: { effect: { type: "String", allowedValues: ["Audit", "Deny"], defaultValue: "Audit" } },
      policyRule: {
        if: {
          allOf: [
            { field: "type", equals: SA },
            { field: `${SA}/networkAcls.defaultAction`, notEquals: "Deny" },
          ],
        },
        then: { effect: "[parameters('effect')]" },
      },
    },
  };
  it("counts outcomes and groups by subscription and environment", () => {
    const vm = {
      id: "/subscriptions/s2/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1",
      name: "vm1",
      type: "microsoft.compute/virtualmachines",
      location: "eastus",
      subscriptionId: "s2",
      resourceGroup: "rg",
    };
    const res = whatIf(policy, [sa({ networkAcls: { defaultAction: "Allow" } }), sa({ networkAcls: { defaultAction: "Deny" } }), vm], {
      params: { effect: { value: "Deny" } },
    });
    expect(res.effect).toBe("deny");
    expect(res.counts).toEqual({ compliant: 1, noncompliant: 1, notApplicable: 1, errored: 0 });
    expect(res.resources[0].reason).toMatch(/denied/);
    expect(res.resources[2].reason).toMatch(/type is/);
    expect(res.bySubscription.find((s) => s.subscriptionId === "s1")?.noncompliant).toBe(1);
    expect(res.byEnvironment.find((s) => s.environment === "production")?.compliant).toBe(1);
    expect(res.complianceDelta.compliancePercent).toBe(50);
  });
  it("auditIfNotExists looks for related child resources", () => {
    const p = {
      mode: "Indexed",
      policyRule: {
        if: { field: "type", equals: "Microsoft.Sql/servers/databases" },
        then: {
          effect: "auditIfNotExists",
          details: {
            type: "Microsoft.Sql/servers/databases/transparentDataEncryption",
            name: "current",
            existenceCondition: { field: "Microsoft.Sql/transparentDataEncryption.status", equals: "Enabled" },
          },
        },
      },
    };
    const db = (n: string) => ({
      id: `/subscriptions/s/resourceGroups/g/providers/Microsoft.Sql/servers/sv/databases/${n}`,
      name: n,
      type: "microsoft.sql/servers/databases",
      location: "eastus",
      subscriptionId: "s",
      resourceGroup: "g",
    });
    const tde = (n: string, status: string) => ({
      id: `/subscriptions/s/resourceGroups/g/providers/Microsoft.Sql/servers/sv/databases/${n}/transparentDataEncryption/current`,
      name: "current",
      type: "microsoft.sql/servers/databases/transparentdataencryption",
      location: "eastus",
      subscriptionId: "s",
      resourceGroup: "g",
      properties: { status },
    });
    const res = whatIf(p, [db("a"), db("b"), db("c")], { related: [tde("a", "Enabled"), tde("b", "Disabled")] });
    expect(res.resources.map((r) => r.result)).toEqual(["compliant", "noncompliant", "noncompliant"]);
    expect(res.resources[2].reason).toMatch(/no related/);
    const none = whatIf(p, [db("a")]);
    expect(none.resources[0].result).toBe("errored");
  });
});
