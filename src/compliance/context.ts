import type { Finding } from "../domain/finding";
import type { Store } from "../store/store";
import { applyExemptions } from "./exemptions";
import type { ComplianceInput } from "./gaps";
import { loadAssessments, loadExemptions } from "./persist";

/** Reads what compliance needs from a store and applies the exemptions in force at `now`. */
export async function loadComplianceInput(store: Store, now = new Date()): Promise<ComplianceInput> {
  const [findings, resources, assessments, exemptions] = await Promise.all([
    store.listFindings(),
    store.listResources(),
    loadAssessments(store),
    loadExemptions(store),
  ]);
  return { findings: applyExemptions(findings, exemptions, now), resources, assessments, exemptions, now };
}

/**
 * For the pipeline: sets `finding.exemption` from the stored exemptions before outputs are written, so
 * findings.json, report.html, Sentinel rows and the store all carry the exemptions that survive re-runs.
 */
export async function withExemptions(store: Store, findings: Finding[], now = new Date()): Promise<Finding[]> {
  const exemptions = await loadExemptions(store);
  return exemptions.length ? applyExemptions(findings, exemptions, now) : findings;
}

/**
 * Writes `finding.exemption` onto the stored findings (call after exemptions change, and after a run
 * replaces the findings). Returns how many findings carry an exemption.
 */
export async function applyStoredExemptions(store: Store, now = new Date()): Promise<number> {
  const [findings, exemptions] = await Promise.all([store.listFindings(), loadExemptions(store)]);
  const updated = applyExemptions(findings, exemptions, now);
  const changed = updated.some((f, i) => JSON.stringify(f.exemption) !== JSON.stringify(findings[i].exemption));
  if (changed) await store.replaceFindings(updated as Finding[]);
  return updated.filter((f) => f.exemption).length;
}
