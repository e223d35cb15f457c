import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Normalizer } from "../src/pipeline/normalize";
import { parseCsv } from "../src/sources/files/csv";
import { readInputs } from "../src/sources/files/read-inputs";
import { needShared, realdata } from "../src/testing/shared";

describe.skipIf(!needShared("real SecurityAlert export"))("real exports from ../shared", () => {
  it("reads a real SecurityAlert CSV export (msticpy sample): every row accepted, severities and times as exported", () => {
    const file = realdata("msticpy-sample-data/docs/notebooks/data/alertlist.csv");
    const r = readInputs([file]);
    const n = new Normalizer();
    for (const u of r.unreadable) n.rejectUnreadable(u.origin, u.reason);
    n.addAll(r.rows);
    const { records } = parseCsv(readFileSync(file, "utf8"));
    const header = records[0].fields;
    const rows = records.slice(1);
    expect(n.report).toMatchObject({ read: rows.length, accepted: rows.length, rejected: 0 });
    const sevCol = header.indexOf("Severity");
    const expected: Record<string, number> = {};
    for (const row of rows) expected[row.fields[sevCol]] = (expected[row.fields[sevCol]] ?? 0) + 1;
    const got: Record<string, number> = {};
    for (const a of n.tenant.alerts) got[a.severity] = (got[a.severity] ?? 0) + 1;
    expect(got).toEqual(expected);
    const first = rows[0].fields;
    expect(n.tenant.alerts[0].startTime).toBe(`${first[header.indexOf("StartTimeUtc")].replace(" ", "T")}.000Z`);
  });
});
