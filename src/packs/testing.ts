import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { ArmResource } from "../domain/resource";
import { loadPack } from "./loader";
import type { EvaluationContext, EvaluationResult } from "./schema";

const EXPECTED: Record<string, EvaluationResult> = { fail: "noncompliant", pass: "compliant", "not-applicable": "notApplicable" };

/**
 * The shared per-pack test: every fixture in `fixtures/` named `fail*.json`, `pass*.json` or
 * `not-applicable*.json` must evaluate to that outcome, and remediation must produce every declared kind
 * with a rollback. A fixture file holds one resource, or `{ "resource": ..., "related": [...] }`.
 */
export function describePackFixtures(testFileUrl: string): void {
  const dir = dirname(fileURLToPath(testFileUrl));
  describe(`pack ${dir.split(/[\\/]/).slice(-2).join("/")}`, async () => {
    const pack = await loadPack(dir);
    const fixtureDir = join(dir, "fixtures");
    const files = existsSync(fixtureDir) ? readdirSync(fixtureDir).filter((f) => f.endsWith(".json")) : [];

    it("has fail, pass and not-applicable fixtures", () => {
      for (const prefix of Object.keys(EXPECTED)) expect(files.some((f) => f.startsWith(prefix)), `${prefix} fixture`).toBe(true);
    });

    for (const file of files) {
      const prefix = Object.keys(EXPECTED).find((p) => file.startsWith(p));
      if (!prefix) continue;
      it(`${file} evaluates to ${EXPECTED[prefix]}`, () => {
        const { resource, related } = readFixture(join(fixtureDir, file));
        const verdict = pack.module.evaluate(resource, fixtureContext(resource, related));
        expect(verdict.result, verdict.reason).toBe(EXPECTED[prefix]);
        expect(verdict.reason.length).toBeGreaterThan(3);
      });
    }

    it("remediates with every declared kind, each with a rollback", () => {
      const failing = files.find((f) => f.startsWith("fail"));
      if (!failing) return;
      const { resource } = readFixture(join(fixtureDir, failing));
      const drafts = pack.module.remediate({
        resource,
        subscriptionId: resource.subscriptionId ?? "",
        resourceGroup: resource.resourceGroup ?? "",
        name: resource.name,
        location: resource.location ?? "",
        affectedCount: 3,
      });
      expect(new Set(drafts.map((d) => d.kind))).toEqual(new Set(pack.meta.fix.kinds));
      for (const d of drafts) {
        expect(d.content.trim().length, `${d.kind} content`).toBeGreaterThan(10);
        expect(d.rollback.trim().length, `${d.kind} rollback`).toBeGreaterThan(10);
        if (d.kind === "azure-policy" || d.kind === "arm") expect(() => JSON.parse(d.content)).not.toThrow();
        if (d.kind === "az-cli") expect(d.content).toContain(resource.name);
      }
    });
  });
}

export function readFixture(file: string): { resource: ArmResource; related: ArmResource[] } {
  const doc = JSON.parse(readFileSync(file, "utf8"));
  if (doc && typeof doc === "object" && "resource" in doc) return { resource: doc.resource, related: doc.related ?? [] };
  return { resource: doc, related: [] };
}

export function fixtureContext(resource: ArmResource, related: ArmResource[]): EvaluationContext {
  return {
    related: (type) => related.filter((r) => r.type.toLowerCase() === type.toLowerCase()),
    children: () => related.filter((r) => r.id.toLowerCase().startsWith(`${resource.id.toLowerCase()}/`)),
  };
}
