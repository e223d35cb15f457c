import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { SqliteStore } from "../../src/store/sqlite-store";

/** Writes `n` synthetic findings straight into a Clarion SQLite store (schema from SqliteStore.migrate). */
export async function generateStore(file: string, n: number, opts: { regen?: boolean } = {}): Promise<{ reused: boolean; ms: number }> {
  const t0 = performance.now();
  if (existsSync(file) && !opts.regen) {
    const db = new Database(file, { readonly: true });
    const have = db.prepare("SELECT count(*) FROM findings").pluck().get() as number;
    db.close();
    if (have === n) return { reused: true, ms: performance.now() - t0 };
  }
  mkdirSync(dirname(file), { recursive: true });
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  const store = new SqliteStore(file);
  await store.migrate();
  await store.close();
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  db.pragma("cache_size = -200000");
  let seed = 42;
  const rnd = () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 4294967296;
  };
  const subs = Array.from(
    { length: 20 },
    (_, i) => `${(0x10000000 + i * 7919).toString(16)}-0000-4000-8000-${String(i).padStart(12, "0")}`,
  );
  const owners = Array.from({ length: 500 }, (_, i) => `team-${i}@contoso.example`);
  const recs = Array.from({ length: 300 }, (_, i) => ({
    id: `rec-${i}`,
    name: `Recommendation ${i}: ${["storage", "network", "identity", "compute", "data"][i % 5]} setting should be enabled`,
    category: ["Data", "Networking", "IdentityAndAccess", "Compute", "Data"][i % 5],
  }));
  const fws = ["mcsb", "nist-800-53-r5", "cis-azure-2.0.0", "pci-dss-4.0", "iso-27001-2013", "soc-2"];
  const envs = ["production", "development", "test", "staging", "shared"];
  const types = [
    "microsoft.storage/storageaccounts",
    "microsoft.compute/virtualmachines",
    "microsoft.web/sites",
    "microsoft.sql/servers",
    "microsoft.keyvault/vaults",
  ];
  const ins = db.prepare(
    "INSERT INTO findings (id, resource_id, subscription_id, severity, status, risk_score, owner_name, owner_email, recommendation_name, resource_name, doc) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
  );
  const fw = db.prepare("INSERT INTO finding_frameworks (finding_id, framework) VALUES (?, ?)");
  const BATCH = 50_000;
  for (let start = 0; start < n; start += BATCH) {
    db.transaction(() => {
      for (let i = start; i < Math.min(n, start + BATCH); i++) {
        const r = rnd();
        const severity = r < 0.2 ? "High" : r < 0.7 ? "Medium" : "Low";
        const score = Math.round(rnd() * 10000) / 100;
        const level = score >= 65 ? "critical" : score >= 45 ? "high" : score >= 25 ? "medium" : "low";
        const sub = subs[Math.floor(rnd() * subs.length)];
        const owner = owners[Math.floor(rnd() * owners.length)];
        const rec = recs[Math.floor(rnd() * recs.length)];
        const env = envs[Math.floor(rnd() * envs.length)];
        const type = types[i % types.length];
        const name = `res${i.toString(36)}`;
        const rg = `rg-${i % 997}`;
        const id = `F-${i.toString(16).padStart(12, "0")}`;
        const resourceId = `/subscriptions/${sub}/resourceGroups/${rg}/providers/${type}/${name}`;
        const frameworks = fws.filter(() => rnd() < 0.35);
        const doc = {
          id,
          resourceId,
          resourceName: name,
          resourceType: type,
          subscriptionId: sub,
          resourceGroup: rg,
          environment: env,
          recommendation: { id: rec.id, name: rec.name, severity, category: rec.category },
          status: "Unhealthy",
          risk: { score, level, factors: [] },
          owner: { name: owner, email: owner, source: "resource-tag" },
          controls: frameworks.map((f) => ({ framework: f, version: "1", controlId: `C-${i % 40}` })),
          attackPaths: [],
          rootCause: null,
          explanation: {
            summary: `${name} does not meet: ${rec.name}.`,
            businessImpact: "",
            complianceImpact: "",
            citations: [],
            engine: "offline-v1",
            model: null,
            grounding: 1,
          },
          remediation: [],
          exemption: null,
        };
        ins.run(id, resourceId, sub, severity, "Unhealthy", score, owner, owner, rec.name, name, JSON.stringify(doc));
        for (const f of frameworks) fw.run(id, f);
      }
    })();
  }
  db.exec("ANALYZE");
  db.close();
  return { reused: false, ms: performance.now() - t0 };
}
