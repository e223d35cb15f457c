import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { validatePolicy } from "../policy";
import { REPO_ROOT } from "../testing/shared";
import { listPackDirs, loadAllPacks } from "./loader";
import { EXPLAIN_SECTIONS } from "./schema";
import { validateDraft } from "./validators";

/** Meta-tests over every pack: the catalog's invariants, checked together so a new pack cannot break them silently. */
describe("knowledge packs (meta)", async () => {
  const { packs, errors } = await loadAllPacks();

  it("every pack folder loads (schema, explain sections, modules)", () => {
    expect(errors).toEqual([]);
    expect(packs.length).toBe(listPackDirs().length);
    expect(packs.length).toBeGreaterThanOrEqual(85);
  });

  it("every explain.md has the fixed sections in order and no empty one", () => {
    for (const p of packs) {
      const text = readFileSync(join(p.dir, "explain.md"), "utf8");
      const heads = [...text.matchAll(/^##\s+(.+?)\s*$/gm)].map((m) => m[1]);
      expect(heads, p.meta.id).toEqual([...EXPLAIN_SECTIONS]);
      for (const s of EXPLAIN_SECTIONS) expect(p.explain[s].length, `${p.meta.id} ${s}`).toBeGreaterThan(20);
    }
  });

  it("every pack has fail, pass and not-applicable fixtures and a pack test", () => {
    for (const p of packs) {
      const files = existsSync(join(p.dir, "fixtures")) ? readdirSync(join(p.dir, "fixtures")) : [];
      for (const prefix of ["fail", "pass", "not-applicable"]) expect(files.some((f) => f.startsWith(prefix) && f.endsWith(".json")), `${p.meta.id} ${prefix}`).toBe(true);
      expect(existsSync(join(p.dir, "pack.test.ts")), p.meta.id).toBe(true);
    }
  });

  it("ids, refs, assessment keys, policy ids and display names are each claimed by one pack only", () => {
    const seen = new Map<string, string>();
    const claim = (kind: string, value: string, id: string) => {
      const k = `${kind}:${value.toLowerCase()}`;
      expect(seen.get(k), `${kind} ${value} claimed by ${seen.get(k)} and ${id}`).toBeUndefined();
      seen.set(k, id);
    };
    for (const p of packs) {
      claim("id", p.meta.id, p.meta.id);
      claim("ref", p.meta.ref, p.meta.id);
      for (const k of p.meta.assessmentKeys) claim("key", k, p.meta.id);
      for (const pid of p.meta.policyDefinitionIds) claim("policy", pid, p.meta.id);
      for (const n of new Set([p.meta.title, ...p.meta.displayNames].map((x) => x.toLowerCase()))) claim("name", n, p.meta.id);
    }
  });

  it("framework references resolve: every control a framework maps to a pack's policy exists in that framework", () => {
    const dir = resolve(REPO_ROOT, "frameworks");
    if (!existsSync(dir)) return;
    let resolved = 0;
    for (const f of readdirSync(dir).filter((x) => x.endsWith(".json"))) {
      const fw = JSON.parse(readFileSync(join(dir, f), "utf8")) as { controls: { controlId: string }[]; policies: Record<string, string[]> };
      const controls = new Set(fw.controls.map((c) => c.controlId));
      for (const p of packs)
        for (const pid of p.meta.policyDefinitionIds) {
          const mapped = fw.policies[(pid.split("/").pop() ?? "").toLowerCase()] ?? [];
          for (const c of mapped) expect(controls.has(c), `${f}: ${p.meta.id} -> ${c}`).toBe(true);
          resolved += mapped.length;
        }
    }
    expect(resolved).toBeGreaterThan(0);
  });

  it("every generated draft is valid: policy engine, az/PowerShell tables, Bicep/Terraform/ARM structure", async () => {
    const problems: string[] = [];
    for (const p of packs) {
      // Every failing fixture, so OS- or shape-dependent branches of a pack's drafts are checked too.
      const fixtures = readdirSync(join(p.dir, "fixtures")).filter((f) => f.startsWith("fail"));
      const drafts = fixtures.flatMap((f) => {
        const doc = JSON.parse(readFileSync(join(p.dir, "fixtures", f), "utf8"));
        const resource = doc.resource ?? doc;
        return p.module.remediate({ resource, subscriptionId: resource.subscriptionId, resourceGroup: resource.resourceGroup, name: resource.name, location: resource.location, affectedCount: 2 });
      });
      for (const d of drafts) {
        for (const issue of validateDraft(d)) problems.push(`${p.meta.id} ${d.kind}: ${issue}`);
        if (d.kind === "azure-policy") {
          const v = validatePolicy(JSON.parse(d.content));
          if (!v.valid) problems.push(`${p.meta.id} azure-policy: ${JSON.stringify(v.errors).slice(0, 300)}`);
        }
        expect(d.precheck ?? "", `${p.meta.id} ${d.kind} precheck`).toMatch(/Blast radius|Would flag/);
        expect(d.requiredRole, `${p.meta.id} ${d.kind} role`).toBeTruthy();
        expect(d.downtime, `${p.meta.id} ${d.kind} downtime`).toBeTruthy();
      }
    }
    expect(problems).toEqual([]);
  });
});
