import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readInputs } from "../sources/files/read-inputs";
import { forEachLine, ingestNdjsonFast, lineRanges } from "./fast-ingest";
import { Normalizer } from "./normalize";

const dir = mkdtempSync(join(tmpdir(), "clarion-fast-ingest-"));
const put = (name: string, content: string) => {
  const f = join(dir, name);
  writeFileSync(f, content);
  return f;
};

const rid = (i: number) => `/subscriptions/s${i % 3}/resourceGroups/RG-${i}/providers/Microsoft.Storage/storageAccounts/st${i}`;
const resource = (i: number) =>
  JSON.stringify({
    id: rid(i),
    name: `st${i}`,
    type: i % 2 ? "Microsoft.Storage/storageAccounts" : "microsoft.keyvault/vaults",
    location: "westeurope",
    tags: { env: "prod", é: "日本" },
    properties: { n: i },
  });
const assessment = (j: number, code = ["Healthy", "unhealthy", "NotApplicable"][j % 3]) =>
  JSON.stringify({
    type: j % 4 ? "Microsoft.Security/assessments" : "microsoft.security/assessments",
    id: `${rid(j % 12)}/providers/Microsoft.Security/assessments/k${j}`,
    name: `k${j}`,
    properties: {
      resourceDetails: j % 2 ? { Source: "Azure", Id: rid(j % 12).toUpperCase() } : { source: "Azure", id: rid(j % 12) },
      displayName: `Rec "${j}" ✓`,
      status: { code },
      metadata: { severity: "high", categories: ["Data"] },
    },
  });

/** The reference: readInputs + Normalizer (the pipeline's path), joined in the test. */
function reference(resFile: string, asmFile: string) {
  const n = new Normalizer();
  const read = readInputs([resFile, asmFile]);
  for (const u of read.unreadable) n.rejectUnreadable(u.origin, u.reason);
  n.addAll(read.rows);
  const types = new Map(n.tenant.resources.map((r) => [r.id.toLowerCase(), r.type.toLowerCase()]));
  const byTypeStatus: Record<string, number> = {};
  let joined = 0;
  for (const a of n.tenant.assessments) {
    const t = types.get(a.resourceId.toLowerCase());
    if (t === undefined) continue;
    joined++;
    byTypeStatus[`${t}|${a.status}`] = (byTypeStatus[`${t}|${a.status}`] ?? 0) + 1;
  }
  return { n, joined, byTypeStatus };
}

describe("ingestNdjsonFast", () => {
  const resLines = Array.from({ length: 10 }, (_, i) => resource(i));
  resLines.splice(4, 0, '{"id": "/subscriptions/s/x", "name": 3, "type": "t"}', "", "   ");
  const asmLines = Array.from({ length: 60 }, (_, j) => assessment(j));
  asmLines[7] = '{"type":"Microsoft.Security/assessments","id":"/x/providers/Microsoft.Security/assessments/k", oops}';
  asmLines[19] = assessment(19, "Broken");
  asmLines[33] = JSON.stringify({
    type: "Microsoft.Security/alerts",
    id: "/alerts/a1",
    name: "a1",
    properties: { severity: "High", alertType: "T", startTimeUtc: "2025-01-01T00:00:00Z" },
  });
  asmLines[41] = `${assessment(41).slice(0, -1)},"padding":"${"x".repeat(300)}"}`; // longer than the read buffer
  asmLines[50] = "";
  const resFile = put("res.ndjson", `${resLines.join("\n")}\n`);
  const asmFile = put("asm.ndjson", asmLines.join("\r\n")); // CRLF, no final newline

  for (const opts of [
    { threads: 1 },
    { threads: 1, chunkBytes: 64 },
    { threads: 1, scanner: true, chunkBytes: 100 },
    { threads: 2 },
    { threads: 3, scanner: true },
  ]) {
    it(`matches readInputs + Normalizer: counts, join and rejections with file and line (${JSON.stringify(opts)})`, async () => {
      const ref = reference(resFile, asmFile);
      const t = await ingestNdjsonFast(resFile, asmFile, opts);
      // same counts and the same rejections (the pipeline lists unreadable lines first; we list by file and line)
      const byWhere = (r: typeof t.report) => ({ ...r, errors: [...r.errors].sort((a, b) => a.where.localeCompare(b.where)) });
      expect(byWhere(t.report)).toEqual(byWhere(ref.n.report));
      expect(t.report.accepted + t.report.rejected).toBe(t.report.read);
      expect(t.resources).toBe(ref.n.tenant.resources.length);
      expect(t.assessments).toBe(ref.n.tenant.assessments.length);
      expect(t.other).toBe(ref.n.tenant.alerts.length);
      expect(t.joined).toBe(ref.joined);
      expect(t.byTypeStatus).toEqual(ref.byTypeStatus);
      expect(t.joined + t.unmatched).toBe(t.assessments);
      // the malformed line and the bad status are named by file and line (1-based, across byte ranges)
      expect(t.report.errors.map((e) => e.where)).toEqual([
        `${resFile}, line 5, field name`,
        `${asmFile}, line 8`,
        `${asmFile}, line 20, field status`,
      ]);
      if (opts.scanner) expect(t.fastPath).toBeGreaterThan(50);
    });
  }

  it("splits on line boundaries: every line once, in order, whatever the ranges and the read size", () => {
    const f = put("lines.txt", "a\nbb\r\n\nccc\nd".repeat(7));
    const expected = "a\nbb\r\n\nccc\nd"
      .repeat(7)
      .split("\n")
      .map((l) => l.replace(/\r$/, ""));
    for (const parts of [1, 2, 3, 5]) {
      for (const chunk of [1, 2, 7, 1 << 16]) {
        const got: string[] = [];
        for (const [from, to] of lineRanges(f, parts)) forEachLine(f, from, to, (b, s, e) => got.push(b.toString("utf8", s, e)), chunk);
        expect(got).toEqual(expected);
      }
    }
  });
});
