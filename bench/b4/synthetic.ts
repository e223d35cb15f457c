import type { FindingLike } from "../../src/ai/narrative";
import type { Fact } from "../../src/domain/finding";

/**
 * Synthetic findings for B4, generated one at a time from (seed, index) so 1M of them never sit in memory.
 * ~300 recommendation types; each finding belongs to an application whose data classification and
 * criticality tags are fixed (as in real estates), in an environment, with optional alerts, exposure,
 * attack paths, recent changes and KEV CVEs.
 */
const FW = [
  { id: "nist-800-53-r5", name: "NIST SP 800-53 Rev. 5", controls: ["SC-7", "AC-4", "SC-8", "AU-6", "IA-2", "CM-6", "SI-4"] },
  { id: "pci-dss-4.0", name: "PCI DSS 4.0", controls: ["1.3.2", "1.4.1", "3.5.1", "8.3.1", "10.2.1"] },
  { id: "iso-27001-2013", name: "ISO/IEC 27001 2013", controls: ["A.13.1.1", "A.9.4.1", "A.12.4.1"] },
  { id: "cis-azure-2.0.0", name: "CIS Microsoft Azure Foundations Benchmark 2.0.0", controls: ["3.1", "3.7", "4.1.2", "5.1.3", "7.2"] },
  { id: "mcsb", name: "Microsoft cloud security benchmark 1.0", controls: ["NS-2", "DP-3", "LT-3", "IM-1"] },
  { id: "soc-2", name: "SOC 2 Type 2 2017", controls: ["CC6.1", "CC6.6", "CC7.2"] },
];
const TYPES = [
  "storage account",
  "key vault",
  "SQL server",
  "virtual machine",
  "App Service app",
  "Kubernetes cluster",
  "container registry",
  "Cosmos DB account",
  "network security group",
  "managed disk",
];
const ENVS = ["production", "production", "production", "staging", "development", "development", "test"];
/** Data classification and criticality come together in real tagging policies: six profiles. */
const PROFILES: { data?: string; crit?: string }[] = [
  { data: "PCI", crit: "Mission-Critical" },
  { data: "PII", crit: "High" },
  { data: "Confidential", crit: "High" },
  { data: "Public", crit: "Low" },
  { crit: "Low" },
  {},
];
const WORDS =
  "restrict network access enable encryption at rest require secure transfer disable public access rotate keys enable diagnostic logs use private endpoints enforce minimum TLS enable soft delete restrict inbound ports".split(
    " ",
  );

export function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RecType {
  id: string;
  packId: string;
  name: string;
  typeLabel: string;
  controls: { fw: (typeof FW)[number]; control: string }[];
  guidance: Record<string, string>;
}

export function recTypes(n: number, seed = 7): RecType[] {
  const r = mulberry(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  return Array.from({ length: n }, (_, i) => {
    const typeLabel = TYPES[i % TYPES.length];
    const verb = [pick(WORDS), pick(WORDS), pick(WORDS)].join(" ");
    const fws = FW.filter(() => r() < 0.5).slice(0, 4);
    const controls = fws.flatMap((fw) =>
      fw.controls
        .filter(() => r() < 0.4)
        .slice(0, 3)
        .map((control) => ({ fw, control })),
    );
    return {
      id: `rec-${String(i).padStart(3, "0")}`,
      packId: `pack-${String(i).padStart(3, "0")}`,
      name: `${typeLabel[0].toUpperCase()}${typeLabel.slice(1)}s should ${verb} (${i})`,
      typeLabel,
      controls,
      guidance: {
        Role: `The ${typeLabel} {{resource.name}} does not ${verb}.`,
        Risk: `Without this setting an attacker who reaches the ${typeLabel} can read or change what it holds, and the change may go unnoticed for weeks.`,
        "Worst case": "Data copied out by anyone who finds the endpoint, or a service outage while the team investigates.",
        "Data at stake": "Whatever the application stores or processes on this resource, including customer records when tagged so.",
        "Why regulators care": "Frameworks expect network and data protections that are documented, enforced and monitored.",
        Fix: `Change the setting so that the ${typeLabel} will ${verb}; callers inside the approved networks keep working.`,
      },
    };
  });
}

export interface App {
  name: string;
  data?: string;
  crit?: string;
  owner: string;
}

export function apps(n: number, seed = 11): App[] {
  const r = mulberry(seed);
  return Array.from({ length: n }, (_, i) => ({
    name: `app${i}`,
    ...PROFILES[Math.floor(r() * PROFILES.length)],
    owner: `team${i}@fabrikam.example`,
  }));
}

/** Finding `i` of the estate; `variant` perturbs a fraction of findings (for the re-run). */
export function syntheticFinding(i: number, types: RecType[], appList: App[], variant = 0): FindingLike {
  const r = mulberry(i * 2654435761 + 1);
  const t = types[Math.floor(r() * types.length)];
  let app = appList[Math.floor(r() * appList.length)];
  let env = ENVS[Math.floor(r() * ENVS.length)];
  const changed = variant > 0 && mulberry(i + variant * 7919)() < 0.02;
  if (changed) {
    app = appList[(appList.indexOf(app) + 1) % appList.length];
    env = ENVS[(ENVS.indexOf(env) + 3) % ENVS.length];
    if (i % 7 === 0) env = "sandbox"; // a new environment: new classes the re-run must ask for
  }
  const name = `${t.typeLabel.replace(/[^a-z]/g, "").slice(0, 4)}${app.name}${i.toString(36)}`;
  const rid = `/subscriptions/0000${i % 40}/resourceGroups/rg-${app.name}-${env.slice(0, 3)}/providers/Microsoft.X/${t.typeLabel.replace(/ /g, "")}/${name}`;
  const facts: Fact[] = [
    { id: "resource.name", value: name, source: "inventory" },
    { id: "resource.typeLabel", value: t.typeLabel, source: "inventory type" },
    { id: "resource.id", value: rid, source: "inventory" },
    { id: "recommendation", value: t.name, source: `Defender assessment ${t.id}` },
    { id: "status.reason", value: `property check failed on ${name}`, source: "Defender assessment status" },
    { id: "env", value: env, source: `resource group rg-${app.name} tag environment` },
    { id: "tag.application", value: app.name, source: "resource tag app" },
  ];
  if (app.data) facts.push({ id: "tag.dataClassification", value: app.data, source: "resource tag dataClassification" });
  if (app.crit) facts.push({ id: "tag.criticality", value: app.crit, source: "resource tag criticality" });
  facts.push({ id: "owner", value: app.owner, source: "resource tag owner" });
  const seen = new Set<string>();
  for (const c of t.controls) {
    facts.push({ id: `control.${c.fw.id}/${c.control}`, value: "in scope", source: `built-in initiative mapping (policy ${t.id})` });
    if (!seen.has(c.fw.id)) {
      seen.add(c.fw.id);
      facts.push({ id: `framework.${c.fw.id}`, value: c.fw.name, source: "framework catalog" });
    }
  }
  if (r() < 0.2)
    facts.push({
      id: "exposure.internet",
      value: "firewall default action Allow: any network can connect",
      source: "resource network properties",
    });
  if (r() < 0.03)
    facts.push({
      id: `alert.${i.toString(36)}`,
      value: `Suspicious access on ${name} ${Math.floor(r() * 48)} h ago (High)`,
      source: "Defender alert",
    });
  if (r() < 0.01)
    facts.push({ id: `path.p${i.toString(36)}`, value: `Internet -> ${name} -> kv-${app.name}`, source: "attack path analysis" });
  if (r() < 0.05)
    facts.push({
      id: `change.${(i * 31).toString(16).padStart(8, "0")}`,
      value: `dev${i % 90}@fabrikam.example ran Microsoft.X/write at 2025-03-0${1 + (i % 9)}T10:00:00Z`,
      source: "Activity log",
    });
  if (r() < 0.005)
    facts.push({
      id: `kev.CVE-2024-${1000 + (i % 5000)}`,
      value: `CVE-2024-${1000 + (i % 5000)} is in the CISA Known Exploited Vulnerabilities catalog`,
      source: "CISA KEV snapshot",
    });
  return {
    id: `f-${i}`,
    recommendation: { id: t.id, name: t.name, packId: t.packId },
    dossier: facts,
    explanation: {
      summary: "offline",
      businessImpact: "offline",
      complianceImpact: "offline",
      recommendedAction: "offline",
      citations: [],
      engine: "offline-v1",
      model: null,
      grounding: 1,
    },
  };
}
