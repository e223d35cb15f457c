import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileLike, compileMatch } from "./glob";
import { compilePolicy, evaluate, parsePolicy, validatePolicy } from "./index";

const SA = "Microsoft.Storage/storageAccounts";
const FIELDS = [
  "type",
  "name",
  "kind",
  "location",
  "tags",
  "tags['env']",
  "identity.type",
  `${SA}/minimumTlsVersion`,
  `${SA}/supportsHttpsTrafficOnly`,
  `${SA}/networkAcls.defaultAction`,
  `${SA}/networkAcls.ipRules`,
  `${SA}/networkAcls.ipRules[*].value`,
  `${SA}/networkAcls.ipRules[*].action`,
];
const OPS = [
  "equals",
  "notEquals",
  "like",
  "notLike",
  "match",
  "notMatch",
  "matchInsensitively",
  "contains",
  "notContains",
  "in",
  "notIn",
  "containsKey",
  "notContainsKey",
  "less",
  "lessOrEquals",
  "greater",
  "greaterOrEquals",
  "exists",
];

const scalar = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.integer({ min: -5, max: 5 }),
  fc.boolean(),
  fc.constantFrom("TLS1_2", "Allow", "Deny", "prod", "*", "#?.", "[parameters('p')]", "[concat('a', 'b')]", "[field('name')]"),
);
const operand = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }));
const leaf = fc.oneof(
  fc.record({ field: fc.constantFrom(...FIELDS), op: fc.constantFrom(...OPS), v: operand }).map(({ field, op, v }) => ({ field, [op]: v })),
  fc.record({ value: scalar, op: fc.constantFrom(...OPS), v: operand }).map(({ value, op, v }) => ({ value, [op]: v })),
  fc.record({ op: fc.constantFrom("equals", "greater", "less"), n: fc.integer({ min: 0, max: 3 }), v: scalar }).map(({ op, n, v }) => ({
    count: { field: `${SA}/networkAcls.ipRules[*]`, where: { field: `${SA}/networkAcls.ipRules[*].action`, equals: v } },
    [op]: n,
  })),
);
const cond: fc.Arbitrary<unknown> = fc.letrec<{ c: unknown }>((tie) => ({
  c: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("c"), { minLength: 1, maxLength: 3 }).map((x) => ({ allOf: x })),
    fc.array(tie("c"), { minLength: 1, maxLength: 3 }).map((x) => ({ anyOf: x })),
    tie("c").map((x) => ({ not: x })),
  ),
})).c;

const resource = fc
  .record({
    name: fc.string({ maxLength: 10 }),
    kind: fc.option(fc.constantFrom("StorageV2", "BlobStorage"), { nil: undefined }),
    location: fc.constantFrom("westeurope", "East US", ""),
    tags: fc.option(fc.dictionary(fc.constantFrom("env", "Env", "owner"), fc.string({ maxLength: 5 })), { nil: null }),
    identity: fc.option(fc.record({ type: fc.constantFrom("SystemAssigned", "None") }), { nil: undefined }),
    properties: fc.record({
      minimumTlsVersion: fc.option(fc.constantFrom("TLS1_0", "TLS1_2", 12), { nil: undefined }),
      supportsHttpsTrafficOnly: fc.option(fc.boolean(), { nil: undefined }),
      networkAcls: fc.option(
        fc.record({
          defaultAction: fc.constantFrom("Allow", "Deny"),
          ipRules: fc.option(fc.array(fc.record({ value: fc.ipV4(), action: fc.constantFrom("Allow", "Deny") }), { maxLength: 3 }), {
            nil: undefined,
          }),
        }),
        { nil: undefined },
      ),
    }),
  })
  .map((r) => ({
    ...r,
    id: `/subscriptions/s/resourceGroups/g/providers/${SA}/${r.name || "x"}`,
    type: "microsoft.storage/storageaccounts",
  }));

const stats = { total: 0, valid: 0 };
describe("property: random rules and resources", () => {
  it("never crash, always one of the four outcomes, deterministic", () => {
    fc.assert(
      fc.property(cond, fc.array(resource, { minLength: 1, maxLength: 4 }), (c, rs) => {
        const policy = {
          mode: "All",
          parameters: { p: { type: "String", defaultValue: "x" } },
          policyRule: { if: c, then: { effect: "audit" } },
        };
        const v = validatePolicy(policy);
        stats.total++;
        if (!v.valid) return; // invalid random rules are reported, not evaluated
        stats.valid++;
        const compiled = compilePolicy(parsePolicy(policy).definition!);
        for (const r of rs) {
          const a = evaluate(compiled, r, { env: { now: "2026-01-01T00:00:00Z" } });
          const b = evaluate(compiled, r, { env: { now: "2026-01-01T00:00:00Z" } });
          expect(["compliant", "noncompliant", "notApplicable", "errored"]).toContain(a.result);
          expect(b).toEqual(a);
        }
      }),
      { numRuns: 300 },
    );
    // Enough random rules must be valid for the property to mean something.
    expect(stats.valid / stats.total).toBeGreaterThan(0.2);
  });
  it("validatePolicy never throws on arbitrary JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (j) => {
        const v = validatePolicy({ mode: "All", policyRule: { if: j, then: { effect: "audit" } } });
        expect(typeof v.valid).toBe("boolean");
        if (!v.valid) expect(v.errors.every((e) => typeof e.pointer === "string" && e.message.length > 0)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

/** Reference `like` for small inputs (regex is fine at this size). */
function refLike(p: string, v: string): boolean {
  const re = new RegExp(
    `^${p
      .split("*")
      .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
    "is",
  );
  return re.test(v);
}
function refMatch(p: string, v: string, ins: boolean): boolean {
  if (p.length !== v.length) return false;
  for (let i = 0; i < p.length; i++) {
    const pc = ins ? p[i].toLowerCase() : p[i];
    const c = ins ? v[i].toLowerCase() : v[i];
    if (pc === "#") {
      if (!/[0-9]/.test(c)) return false;
    } else if (pc === "?") {
      if (!/\p{L}/u.test(c)) return false;
    } else if (pc !== "." && pc !== c) return false;
  }
  return true;
}

describe("like and match", () => {
  const alpha = fc.string({ unit: fc.constantFrom("a", "b", "A", "*", "1", "."), maxLength: 8 });
  it("like agrees with a reference matcher", () => {
    fc.assert(
      fc.property(alpha, fc.string({ unit: fc.constantFrom("a", "b", "A", "1", "."), maxLength: 10 }), (p, v) => {
        expect(compileLike(p)(v)).toBe(refLike(p, v));
      }),
      { numRuns: 2000 },
    );
  });
  it("match agrees with a reference matcher", () => {
    const pat = fc.string({ unit: fc.constantFrom("#", "?", ".", "a", "B", "1"), maxLength: 6 });
    const val = fc.string({ unit: fc.constantFrom("a", "B", "1", "9", "-", "é"), maxLength: 6 });
    fc.assert(
      fc.property(pat, val, fc.boolean(), (p, v, ins) => {
        expect(compileMatch(p, ins)(v)).toBe(refMatch(p, v, ins));
      }),
      { numRuns: 2000 },
    );
  });
  it("hostile patterns and values run in linear time", () => {
    const value = "a".repeat(200_000);
    const pattern = `${"*a".repeat(2000)}*b`;
    const t0 = performance.now();
    expect(compileLike(pattern)(value)).toBe(false);
    expect(compileLike(`a*${"a".repeat(5000)}b*`)(value)).toBe(false);
    expect(compileLike(`*${"a".repeat(1000)}b*`)(value)).toBe(false);
    expect(compileMatch(".".repeat(199_999) + "#", false)(value)).toBe(false);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
