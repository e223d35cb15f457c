import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AssessmentSchema } from "../domain/records";
import { ArmResourceSchema } from "../domain/resource";
import { normalizeAssessment, plainResource } from "./normalize";

/** The normalizers skip zod for rows they can check by hand: what they return must be zod's result, key for key. */
describe("zod-free normalizers ≡ their zod schemas", () => {
  const value = fc.oneof(
    fc.string(),
    fc.constant(null),
    fc.constant(undefined),
    fc.integer(),
    fc.boolean(),
    fc.array(fc.string(), { maxLength: 2 }),
    fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.string(), fc.constant(null), fc.integer()), { maxKeys: 3 }),
  );
  const often = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 6, arbitrary: good }, { weight: 1, arbitrary: value });

  it("plainResource gives ArmResourceSchema's output, or declines", () => {
    const row = fc.record(
      {
        id: often(fc.string({ minLength: 1 })),
        name: often(fc.string()),
        type: often(fc.string({ minLength: 1 })),
        location: often(fc.string()),
        resourceGroup: often(fc.string()),
        subscriptionId: often(fc.string()),
        tenantId: often(fc.string()),
        kind: often(fc.option(fc.string())),
        managedBy: often(fc.option(fc.string())),
        sku: often(fc.option(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 1 })))),
        identity: often(fc.option(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 1 })))),
        zones: often(fc.option(fc.array(fc.string()))),
        tags: often(fc.option(fc.dictionary(fc.string(), fc.option(fc.string()), { maxKeys: 4 }))),
        properties: often(fc.option(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })))),
        extra: fc.jsonValue({ maxDepth: 1 }),
        "0": fc.string(),
      },
      { requiredKeys: [] },
    );
    let fast = 0;
    fc.assert(
      fc.property(row, fc.boolean(), (r, viaJson) => {
        const o = viaJson ? JSON.parse(JSON.stringify(r)) : r; // JSON drops undefined values; objects keep them
        const z = ArmResourceSchema.safeParse(o);
        const got = plainResource(o);
        if (got === undefined) return;
        fast++;
        expect(z.success).toBe(true);
        expect(got).toStrictEqual(z.data);
        expect(Object.keys(got)).toEqual(Object.keys(z.data as object));
      }),
      { numRuns: 3000 },
    );
    expect(fast).toBeGreaterThan(200);
  });

  it("normalizeAssessment returns what AssessmentSchema would, and still rejects through zod", () => {
    const row = fc.record(
      {
        id: often(fc.string()),
        name: often(fc.string()),
        properties: often(
          fc.record(
            {
              resourceDetails: often(
                fc.record({ Id: often(fc.string()), id: often(fc.string()), ResourceId: often(fc.string()) }, { requiredKeys: [] }),
              ),
              displayName: often(fc.string()),
              status: often(
                fc.record(
                  {
                    code: often(fc.constantFrom("Healthy", "unhealthy", "NOTAPPLICABLE", "Broken")),
                    cause: often(fc.string()),
                    statusChangeDate: often(fc.string()),
                  },
                  { requiredKeys: [] },
                ),
              ),
              metadata: often(
                fc.record(
                  {
                    severity: often(fc.constantFrom("High", "low", "Critical")),
                    categories: often(fc.array(fc.oneof(fc.string(), fc.integer()))),
                    description: often(fc.string()),
                  },
                  { requiredKeys: [] },
                ),
              ),
            },
            { requiredKeys: [] },
          ),
        ),
      },
      { requiredKeys: [] },
    );
    let ok = 0;
    let rejected = 0;
    fc.assert(
      fc.property(row, (o) => {
        let got: ReturnType<typeof normalizeAssessment>;
        try {
          got = normalizeAssessment(o as Record<string, unknown>);
        } catch {
          rejected++;
          return;
        }
        ok++;
        const z = AssessmentSchema.parse(got);
        expect(got).toStrictEqual(z);
        expect(Object.keys(got)).toEqual(Object.keys(z));
      }),
      { numRuns: 2000 },
    );
    expect(ok).toBeGreaterThan(200);
    expect(rejected).toBeGreaterThan(50);
  });
});
