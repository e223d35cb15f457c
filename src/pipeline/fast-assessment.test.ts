import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Assessment } from "../domain/records";
import { scanAssessment } from "./fast-assessment";
import { Normalizer } from "./normalize";

/** The full path for one NDJSON line: decode, JSON.parse, Normalizer (routing + normalizeAssessment + zod). */
function fullPath(buf: Buffer): { kind: "unreadable" } | { kind: "assessment"; record: Assessment } | { kind: "other" } {
  let row: unknown;
  try {
    row = JSON.parse(buf.toString("utf8"));
  } catch {
    return { kind: "unreadable" };
  }
  const n = new Normalizer();
  n.add({ row, origin: { file: "t.ndjson", line: 1 } });
  return n.tenant.assessments.length === 1 ? { kind: "assessment", record: n.tenant.assessments[0] } : { kind: "other" };
}

/** The fast path may decline (→ full path); when it answers, the answer must be the full path's, key for key. */
function checkLine(buf: Buffer): Assessment | undefined {
  const fast = scanAssessment(buf, 0, buf.length);
  if (fast === undefined) return undefined;
  const full = fullPath(buf);
  expect(full.kind).toBe("assessment");
  if (full.kind !== "assessment") return fast;
  expect(fast).toStrictEqual(full.record);
  expect(Object.keys(fast)).toEqual(Object.keys(full.record));
  return fast;
}

const casing = (s: string) =>
  fc
    .array(fc.boolean(), { minLength: s.length, maxLength: s.length })
    .map((up) => [...s].map((c, i) => (up[i] ? c.toUpperCase() : c.toLowerCase())).join(""));
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.string({ unit: "binary" }), // lone surrogates, control characters, quotes and backslashes → escapes
  fc.constantFrom("", "Storage accounts should restrict network access", 'say "hi"\\ \u2028 \t é 日本 😀'),
);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 3 });
/** A string field as exports carry it, or null, or (rarely) a value of the wrong kind. */
const field = (arb: fc.Arbitrary<string> = text) =>
  fc.oneof(
    { weight: 40, arbitrary: arb },
    { weight: 2, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.boolean(), fc.constant([]), fc.constant({})) },
  );
const mostly = <T, U>(good: fc.Arbitrary<T>, odd: fc.Arbitrary<U>): fc.Arbitrary<T | U> =>
  fc.oneof({ weight: 12, arbitrary: good }, { weight: 1, arbitrary: odd });
const rid = fc
  .tuple(fc.integer({ min: 0, max: 99 }), text)
  .map(
    ([i, n]) =>
      `/subscriptions/00000000-0000-4000-8000-${String(i).padStart(12, "0")}/resourceGroups/rg-${i}/providers/Microsoft.Storage/storageAccounts/${n.replace(/\//g, "_")}`,
  );
const key = fc.uuid();

const assessmentRow = fc
  .record(
    {
      rid,
      key,
      type: mostly(
        casing("Microsoft.Security/assessments"),
        fc.constantFrom(
          "microsoft.security/alerts",
          "Microsoft.Storage/storageAccounts",
          "microsoft.security/assessments/subassessments",
          "",
        ),
      ),
      idForm: mostly(fc.constant("normal"), fc.constantFrom("missing", "empty", "number")),
      name: maybe(field(key)),
      detailsKeys: mostly(
        fc.constantFrom<string[]>(["Source", "Id"], ["source", "id"], ["ResourceId"], ["id", "ResourceId"]),
        fc.subarray(["Id", "id", "ID", "iD", "ResourceId", "resourceId", "RESOURCEID", "Source", "source", "NativeResourceId"]),
      ),
      detailsValue: field(rid),
      details: mostly(fc.constant("object"), fc.constantFrom("missing", "null", "array")),
      additional: maybe(
        fc.oneof(fc.record({ AzureResourceId: field(rid) }), fc.constant(null), fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }))),
      ),
      displayName: maybe(field()),
      code: mostly(
        fc.oneof(casing("Healthy"), casing("Unhealthy"), casing("NotApplicable")),
        fc.oneof(fc.constantFrom("Broken", "", "constructor", undefined), fc.constant(null), fc.integer()),
      ),
      statusExtra: fc.record(
        {
          cause: maybe(field()),
          description: maybe(field()),
          firstEvaluationDate: maybe(field()),
          statusChangeDate: maybe(field(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()))),
        },
        { requiredKeys: [] },
      ),
      severity: maybe(
        fc.oneof(
          casing("High"),
          casing("Medium"),
          casing("low"),
          fc.constantFrom("Critical", "__proto__", "constructor"),
          fc.constant(null),
        ),
      ),
      meta: fc.record(
        {
          displayName: maybe(field()),
          policyDefinitionId: maybe(field()),
          categories: maybe(
            fc.oneof(
              fc.array(text, { maxLength: 3 }),
              fc.constant(null),
              fc.constant("Data"),
              fc.array(fc.oneof(text, fc.integer()), { maxLength: 3 }),
            ),
          ),
          threats: maybe(fc.array(text, { maxLength: 3 })),
          userImpact: maybe(field()),
          implementationEffort: maybe(field()),
          description: maybe(field()),
          remediationDescription: maybe(field()),
        },
        { requiredKeys: [] },
      ),
      statusForm: mostly(fc.constant("object"), fc.constantFrom("missing", "string")),
      extra: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 3 }),
      activityKey: mostly(fc.constant(undefined), fc.constantFrom("eventDataId", "operationName", "eventTimestamp")),
    },
    {
      requiredKeys: [
        "rid",
        "key",
        "type",
        "idForm",
        "detailsKeys",
        "detailsValue",
        "details",
        "code",
        "statusExtra",
        "meta",
        "statusForm",
        "extra",
      ],
    },
  )
  .map((g) => {
    const id = `${g.rid}/providers/Microsoft.Security/assessments/${g.key}`;
    const details: Record<string, unknown> = {};
    for (const k of g.detailsKeys) details[k] = k.toLowerCase() === "source" ? "Azure" : g.detailsValue;
    const props: Record<string, unknown> = {
      resourceDetails: { object: details, missing: undefined, null: null, array: [details] }[g.details],
      additionalData: g.additional,
      displayName: g.displayName,
      status: { object: { code: g.code, ...g.statusExtra }, missing: undefined, string: "Healthy" }[g.statusForm],
      metadata: { severity: g.severity, ...g.meta },
    };
    const row: Record<string, unknown> = {
      ...g.extra,
      type: g.type,
      id: { normal: id, missing: undefined, empty: "", number: 42 }[g.idForm],
      name: g.name,
      properties: props,
    };
    if (g.activityKey) row[g.activityKey] = "x";
    return row;
  });

/** Serializations of the same row: compact, indented, CRLF-free spacing, keys escaped as \uXXXX. */
const serialize = fc.constantFrom(
  (o: unknown) => JSON.stringify(o),
  (o: unknown) => JSON.stringify(o, null, 1).replace(/\n/g, " "),
  (o: unknown) => ` \t${JSON.stringify(o)}\r`,
  (o: unknown) => JSON.stringify(o).replace(/"(\w)/g, (_m, c: string) => `"\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`),
);

describe("scanAssessment (fast path) ≡ JSON.parse + Normalizer", () => {
  it("gives the full path's record for every row it accepts (generated rows: casings, missing fields, unicode, escapes)", () => {
    let full = 0;
    let fast = 0;
    fc.assert(
      fc.property(assessmentRow, serialize, (row, ser) => {
        const buf = Buffer.from(ser(row), "utf8");
        if (checkLine(buf)) fast++;
        if (fullPath(buf).kind === "assessment") full++;
      }),
      { numRuns: 3000 },
    );
    // and it answers for many of the rows the full path accepts (escaped keys, a quarter here, and values of
    // the wrong kind always decline; about 40 % answer)
    expect(fast).toBeGreaterThan(full * 0.3);
  });

  it("never accepts a line JSON.parse refuses, and stays equivalent under byte mutations", () => {
    const stats = { accepted: 0, unreadable: 0 };
    const mutation = fc.record({
      pos: fc.nat(),
      op: fc.constantFrom("delete", "insert", "truncate", "replace"),
      byte: fc.constantFrom(0x22, 0x5c, 0x7b, 0x7d, 0x2c, 0x3a, 0x5b, 0x5d, 0x20, 0x0a, 0x01, 0x80, 0xff, 0xc3, 0x30, 0x2d, 0x65),
    });
    fc.assert(
      fc.property(assessmentRow, fc.array(mutation, { minLength: 1, maxLength: 3 }), (row, muts) => {
        let buf = Buffer.from(JSON.stringify(row), "utf8");
        for (const m of muts) {
          const i = m.pos % (buf.length + 1);
          if (m.op === "delete") buf = Buffer.concat([buf.subarray(0, i), buf.subarray(i + 1)]);
          else if (m.op === "insert") buf = Buffer.concat([buf.subarray(0, i), Buffer.from([m.byte]), buf.subarray(i)]);
          else if (m.op === "truncate") buf = buf.subarray(0, i);
          else if (i < buf.length) buf[i] = m.byte;
        }
        if (checkLine(buf)) stats.accepted++;
        if (fullPath(buf).kind === "unreadable") stats.unreadable++;
      }),
      { numRuns: 3000 },
    );
    // both sides of the property were exercised: mutated lines the fast path read, and lines JSON.parse refused
    expect(stats.accepted).toBeGreaterThan(100);
    expect(stats.unreadable).toBeGreaterThan(300);
  });

  it("reads a typical ARG row and a REST row", () => {
    const rid = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1";
    const arg = {
      type: "microsoft.security/assessments",
      id: `${rid}/providers/Microsoft.Security/assessments/k1`,
      name: "k1",
      properties: {
        resourceDetails: { Source: "Azure", Id: rid },
        displayName: "Key Vault should use RBAC",
        status: { code: "Unhealthy", statusChangeDate: "2025-01-10T08:14:02Z" },
        metadata: {
          severity: "Medium",
          categories: ["Data"],
          policyDefinitionId: "/providers/Microsoft.Authorization/policyDefinitions/p1",
        },
      },
    };
    const rest = {
      ...arg,
      type: "Microsoft.Security/assessments",
      properties: { ...arg.properties, resourceDetails: { source: "Azure", id: rid.toUpperCase() } },
    };
    expect(checkLine(Buffer.from(JSON.stringify(arg)))).toMatchObject({
      resourceId: rid,
      status: "Unhealthy",
      severity: "Medium",
      categories: ["Data"],
    });
    expect(checkLine(Buffer.from(JSON.stringify(rest)))?.resourceId).toBe(rid.toUpperCase());
  });

  it("declines what it must leave to the full path: duplicate keys, other row types, bad status, not an object", () => {
    const base = '"type":"Microsoft.Security/assessments","id":"/s/x/providers/Microsoft.Security/assessments/k","name":"k"';
    const st = '"status":{"code":"Healthy"}';
    const decline = (s: string) => expect(scanAssessment(Buffer.from(s), 0, Buffer.byteLength(s))).toBeUndefined();
    expect(
      scanAssessment(Buffer.from(`{${base},"properties":{${st}}}`), 0, Buffer.byteLength(`{${base},"properties":{${st}}}`))?.resourceId,
    ).toBe("/s/x");
    decline(`{${base},"properties":{${st}},"properties":{"status":{"code":"Unhealthy"}}}`); // JSON.parse keeps the last
    decline(`{${base},"properties":{"status":{"code":"Healthy","code":"Broken"}}}`);
    decline(`{${base},"properties":{"resourceDetails":{"id":"a","ID":"b"},${st}}}`);
    decline(`{${base},"properties":{"status":{"code":"Broken"}}}`);
    decline(`{${base},"properties":[]}`);
    decline(`{${base.replace("Microsoft.Security/assessments", "Microsoft.Security/alerts")},"properties":{${st}}}`);
    decline(`[{${base},"properties":{${st}}}]`);
    decline(`{${base},"properties":{${st}}} x`);
    decline(`{${base},"properties":{${st}},}`);
  });
});
