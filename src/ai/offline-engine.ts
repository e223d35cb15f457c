import type { Citation, Dossier, Fact, Finding } from "../domain/finding";
import type { ExplainSection } from "../packs/schema";
import { frameworkFamily } from "../compliance/framework-sources";

/**
 * The offline explanation engine: deterministic, grounded, no network. It writes the five-part shape of
 * design/explanations.md from a pack's explain.md sections and the finding's dossier facts, citing every
 * fact it uses. A model (src/ai providers) may write better prose from the same dossier; its output is held
 * to the same schema and grounding checks and falls back to this text.
 */
export const OFFLINE_ENGINE_VERSION = "offline-v1";

export type Explanation = Finding["explanation"];

export interface ExplainInput {
  dossier: Dossier;
  /** Pack sections; absent for the generic fallback. */
  sections?: Record<ExplainSection, string>;
  /** For the generic fallback: the assessment's own description and remediation text. */
  generic?: { title: string; description?: string; remediation?: string };
  requiredRole?: string;
  downtime?: string;
}

/** Makes an attacker-controlled value safe to quote: one line, bounded, no template or markup syntax. */
export function quoteValue(v: string, max = 80): string {
  const flat = v.replace(/[\u0000-\u001f\u007f]+/g, " ").replace(/\{\{|\}\}|[<>`]/g, "").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function explainOffline(input: ExplainInput): Explanation {
  const facts = new Map(input.dossier.facts.map((f) => [f.id, f]));
  const used = new Set<string>();
  const get = (id: string): string | undefined => {
    const f = facts.get(id);
    if (!f) return undefined;
    used.add(id);
    return quoteValue(f.value);
  };
  const fill = (text: string) =>
    text.replace(/\{\{\s*([\w.:/-]+)\s*\}\}/g, (_, id: string) => get(id) ?? id.split(".").pop() ?? "");

  // 1. What and where, in business terms.
  const name = get("resource.name") ?? "this resource";
  const typeLabel = get("resource.typeLabel") ?? "resource";
  const env = get("env");
  const app = get("tag.application");
  const data = get("tag.dataClassification");
  const role = [
    app ? `the ${app} application's` : undefined,
    env && env !== "unknown" ? env : undefined,
    typeLabel,
  ]
    .filter(Boolean)
    .join(" ");
  const holding = data ? `, tagged as holding ${data} data` : "";
  const what = input.sections ? fill(input.sections.Role) : `${name} fails "${quoteValue(input.generic?.title ?? "a Defender recommendation", 160)}".`;
  const summary = `${name} is ${articleFor(role)} ${role}${holding}. ${what}`.replace(/\s+/g, " ").trim();

  // 2. What could happen, to whom.
  const impactParts: string[] = [];
  if (input.sections) {
    impactParts.push(fill(input.sections.Risk), fill(input.sections["Worst case"]));
    if (data) impactParts.push(`Data at stake: ${fill(input.sections["Data at stake"]).replace(/^./, (c) => c.toLowerCase())}`);
  } else if (input.generic?.description) impactParts.push(quoteValue(input.generic.description, 400));
  // 3. Why now.
  const why = whyNow(input.dossier.facts, used);
  if (why) impactParts.push(why);
  const businessImpact = impactParts.join(" ").replace(/\s+/g, " ").trim();

  // 4. Which obligations (only what the mapping supports).
  const controls = input.dossier.facts.filter((f) => f.id.startsWith("control."));
  let complianceImpact: string;
  if (controls.length) {
    const byFw = new Map<string, string[]>();
    for (const c of controls) {
      used.add(c.id);
      const [fw, ...rest] = c.id.slice("control.".length).split("/");
      const list = byFw.get(fw) ?? [];
      list.push(rest.join("/"));
      byFw.set(fw, list);
    }
    // The frameworks a risk owner recognizes first; of several versions of one standard (CIS 1.4.0 … 3.0.0,
    // PCI DSS 4.0 and 4.0.1, ISO/IEC 27001:2013 and 2022, SOC 2 and SOC 2023), only the newest is spelled out.
    const ordered = [...byFw].sort(([a], [b]) => frameworkRank(a) - frameworkRank(b) || b.localeCompare(a, "en", { numeric: true }));
    const families = new Set<string>();
    const shownFw = ordered.filter(([fw]) => !families.has(frameworkFamily(fw)) && families.add(frameworkFamily(fw)));
    const parts = shownFw.slice(0, 4).map(([fw, ids]) => {
      const label = facts.get(`framework.${fw}`)?.value ?? fw;
      used.add(`framework.${fw}`);
      const shown = ids.slice(0, 3).join(", ");
      return `${label} ${shown}${ids.length > 3 ? " and related controls" : ""}`;
    });
    // No counts here: every number an explanation states must be a fact (the grounding check holds the offline
    // engine to the same rule as a model).
    const tail = byFw.size > Math.min(shownFw.length, 4) ? "; and further framework versions" : "";
    const header = `Mapped controls: ${parts.join("; ")}${tail}.`;
    const reason = input.sections ? ` ${fill(input.sections["Why regulators care"])}` : "";
    complianceImpact = `${header}${reason}`;
  } else {
    complianceImpact = "No framework control in Clarion's mapping covers this recommendation; it still lowers Secure Score.";
  }

  // 5. What to do and what it costs.
  const owner = get("owner");
  const fix = input.sections ? fill(input.sections.Fix) : input.generic?.remediation ? quoteValue(input.generic.remediation, 300) : "Follow the recommendation's remediation steps in Defender for Cloud.";
  const cost = [input.requiredRole ? `needs the ${input.requiredRole} role` : undefined, input.downtime ? `downtime: ${input.downtime}` : undefined].filter(Boolean).join("; ");
  const ownerFact = facts.get("owner");
  const ownerLine = !owner ? "" : ownerFact?.source.startsWith("last change") ? ` No owner is tagged; ${owner} made the last change and is the best-known contact.` : ` ${owner} owns the decision.`;
  const recommendedAction = `${fix}${cost ? ` (${cost}.)` : ""}${ownerLine}`.trim();

  const citations: Citation[] = [...used].filter((id) => facts.has(id)).map((id) => {
    const f = facts.get(id) as Fact;
    return { factId: f.id, value: f.value, source: f.source };
  });
  return {
    summary,
    businessImpact,
    complianceImpact,
    recommendedAction,
    citations,
    engine: input.sections ? OFFLINE_ENGINE_VERSION : "generic",
    model: null,
    grounding: 1,
  };
}

function whyNow(facts: Fact[], used: Set<string>): string | undefined {
  const out: string[] = [];
  const f = (prefix: string) => facts.filter((x) => x.id.startsWith(prefix));
  const exposure = facts.find((x) => x.id === "exposure.internet");
  if (exposure) {
    used.add(exposure.id);
    out.push(`It is reachable from the Internet (${quoteValue(exposure.value, 120)}).`);
  }
  for (const a of f("alert.").slice(0, 2)) {
    used.add(a.id);
    out.push(`A security alert raises the urgency: ${quoteValue(a.value, 140)}.`);
  }
  for (const p of f("path.").slice(0, 1)) {
    used.add(p.id);
    out.push(`It lies on an attack path: ${quoteValue(p.value, 320)}.`);
  }
  const kev = f("kev.");
  if (kev.length) {
    for (const k of kev) used.add(k.id);
    out.push(`It carries vulnerabilities attackers are known to exploit (${kev.map((k) => k.id.slice(4)).join(", ")}).`);
  }
  const change = f("change.")[0];
  if (change) {
    used.add(change.id);
    out.push(`The likely cause: ${quoteValue(change.value, 200)}.`);
  }
  const env = facts.find((x) => x.id === "env");
  if (!out.length && env && (env.value === "development" || env.value === "test")) {
    used.add(env.id);
    out.push("Being non-production lowers the urgency, unless it holds real data or shares credentials with production.");
  }
  return out.length ? out.join(" ") : undefined;
}

const FRAMEWORK_ORDER = ["pci-dss", "nist-800-53", "iso-27001", "cis-azure", "mcsb", "soc-2", "hipaa"];

function frameworkRank(id: string): number {
  const i = FRAMEWORK_ORDER.findIndex((p) => id.startsWith(p));
  return i < 0 ? FRAMEWORK_ORDER.length : i;
}

function articleFor(phrase: string): string {
  return /^(the |[aeiou])/i.test(phrase) ? (phrase.startsWith("the ") ? "" : "an") : "a";
}
