import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ArmResource } from "../../domain/resource";
import { frameworkCatalog } from "../../compliance/catalog";
import { loadAllPacks } from "../../packs/loader";
import type { Pack } from "../../packs/schema";
import type { RawTenant } from "../raw";
import { generateEstate } from "./estate";
import { createRng, subSeed } from "./rng";
import { type AssessmentRow, assessEstate, demoAlerts, secureScores, vulnerabilityFindings } from "./security";

export interface DemoOptions {
  seed?: number;
  /** 1 = the Fabrikam estate (3 subscriptions, 600+ resources); N = N such business units. */
  scale?: number;
  /** Reference time; defaults to now rounded down to the hour. */
  now?: Date;
  /** Override the packs used to assess (tests). */
  packs?: Pack[];
}

export interface DemoTenant extends RawTenant {
  /** Ground truth kept out of the data: planted resources, anomalies and root causes (for tests and evals). */
  truth: {
    planted: Record<string, string>;
    anomalousEventIds: string[];
    rootCause: Record<string, string>;
  };
  packErrors: { pack: string; resourceId: string; message: string }[];
}

export const DEFAULT_SEED = 42;
/** The Fabrikam team works in Amsterdam: usual hours are measured in this zone. */
export const DEMO_TIME_ZONE = "Europe/Amsterdam";

export function defaultNow(): Date {
  const d = new Date();
  d.setUTCMinutes(0, 0, 0);
  return d;
}

type ActivityModule = {
  generateActivity(input: {
    seed: number;
    now: Date;
    days: number;
    timeZone: string;
    resources: ArmResource[];
    unhealthy: { assessmentId: string; resourceId: string }[];
  }): { events: Record<string, unknown>[]; statusChangeDates: Record<string, string>; truth: { anomalousEventIds: string[]; rootCause: Record<string, string> } };
};

async function loadActivityGenerator(): Promise<ActivityModule | undefined> {
  const file = join(dirname(fileURLToPath(import.meta.url)), "activity.ts");
  if (!existsSync(file)) return undefined;
  return (await import("./activity" as string)) as ActivityModule;
}

/** Generates one business unit of the demo tenant (unit 0 is the Fabrikam estate itself). */
export async function generateDemoUnit(unit: number, opts: DemoOptions = {}): Promise<DemoTenant> {
  const seed = opts.seed ?? DEFAULT_SEED;
  const now = opts.now ?? defaultNow();
  const packs = opts.packs ?? (await loadAllPacks()).packs;
  const estate = generateEstate(seed, unit);
  const unitSeed = subSeed(seed, `unit-${unit}`);
  const subs = estate.containers.filter((c) => c.type === "microsoft.resources/subscriptions").map((c) => c.subscriptionId ?? "");

  const vulns = vulnerabilityFindings(estate.resources, { seed: unitSeed, now, tenantId: estate.tenantId, plantedVm: estate.planted.jumpVm });
  const universe = [...estate.resources, ...estate.containers, ...estate.authorization, ...estate.pricings, ...vulns];
  const { rows: assessments, errors } = assessEstate(universe, packs, { seed: unitSeed, now, tenantId: estate.tenantId });

  // Activity log: a month of work, with the changes that turned findings unhealthy and planted anomalies.
  const activity = await loadActivityGenerator();
  let events: Record<string, unknown>[] = [];
  let truth = { anomalousEventIds: [] as string[], rootCause: {} as Record<string, string> };
  if (activity) {
    const unhealthy = assessments.filter((a) => a.properties.status.code === "Unhealthy").map((a) => ({ assessmentId: a.id, resourceId: String((a.properties.resourceDetails as { Id: string }).Id) }));
    const generated = activity.generateActivity({ seed: unitSeed, now, days: 30, timeZone: DEMO_TIME_ZONE, resources: [...estate.resources, ...estate.containers], unhealthy });
    events = generated.events;
    truth = generated.truth;
    for (const a of assessments) {
      const changed = generated.statusChangeDates[a.id];
      if (changed) (a.properties.status as Record<string, unknown>).statusChangeDate = changed;
    }
  }

  const security: ArmResource[] = [...assessments, ...vulns, ...secureScores(assessments, subs, estate.tenantId), ...complianceRows(assessments, subs, estate.tenantId), ...estate.pricings];
  return {
    tenantId: estate.tenantId,
    resources: estate.resources,
    resourceContainers: estate.containers,
    securityResources: security,
    authorizationResources: estate.authorization,
    activityLog: events,
    alerts: demoAlerts(estate.resources, { seed: unitSeed, now, planted: estate.planted }),
    truth: { planted: estate.planted, ...truth },
    packErrors: errors,
  };
}

/** The whole demo tenant in memory (scale 1 by default). For large scales use `streamDemoUnits`. */
export async function generateDemoTenant(opts: DemoOptions = {}): Promise<DemoTenant> {
  const scale = Math.max(1, Math.floor(opts.scale ?? 1));
  const packs = opts.packs ?? (await loadAllPacks()).packs;
  const units: DemoTenant[] = [];
  for (let u = 0; u < scale; u++) units.push(await generateDemoUnit(u, { ...opts, packs }));
  if (units.length === 1) return units[0];
  const merged = units[0];
  for (const t of units.slice(1)) {
    merged.resources.push(...t.resources);
    merged.resourceContainers.push(...t.resourceContainers);
    merged.securityResources.push(...t.securityResources);
    merged.authorizationResources.push(...t.authorizationResources);
    merged.activityLog.push(...t.activityLog);
    merged.alerts.push(...t.alerts);
    merged.truth.anomalousEventIds.push(...t.truth.anomalousEventIds);
    Object.assign(merged.truth.rootCause, t.truth.rootCause);
    merged.packErrors.push(...t.packErrors);
  }
  return merged;
}

/** Yields the tenant one business unit at a time, so `--scale 100` streams to disk in bounded memory. */
export async function* streamDemoUnits(opts: DemoOptions = {}): AsyncGenerator<DemoTenant> {
  const scale = Math.max(1, Math.floor(opts.scale ?? 1));
  const packs = opts.packs ?? (await loadAllPacks()).packs;
  for (let u = 0; u < scale; u++) yield await generateDemoUnit(u, { ...opts, packs });
}

const STANDARDS: { framework: string; standard: string }[] = [
  { framework: "mcsb", standard: "Microsoft-cloud-security-benchmark" },
  { framework: "pci-dss-4.0", standard: "PCI-DSS-4" },
  { framework: "nist-800-53-r5", standard: "NIST-SP-800-53-R5" },
  { framework: "iso-27001-2013", standard: "ISO-27001" },
  { framework: "cis-azure-2.0.0", standard: "CIS-Azure-Foundations-v2.0.0" },
];

/** Regulatory compliance results per subscription, derived from the assessments through the framework data. */
export function complianceRows(assessments: AssessmentRow[], subscriptions: string[], tenantId: string): ArmResource[] {
  const catalog = frameworkCatalog();
  const out: ArmResource[] = [];
  for (const sub of subscriptions) {
    for (const { framework, standard } of STANDARDS) {
      // control -> assessment key -> counts
      const controls = new Map<string, Map<string, { passed: number; failed: number; skipped: number; name: string }>>();
      for (const a of assessments) {
        if (a.subscriptionId !== sub) continue;
        const policyId = (a.properties.metadata as { policyDefinitionId?: string } | undefined)?.policyDefinitionId;
        for (const ref of catalog.controlsForPolicy(policyId)) {
          if (ref.framework !== framework) continue;
          const byKey = controls.get(ref.controlId) ?? new Map();
          const c = byKey.get(a.name) ?? { passed: 0, failed: 0, skipped: 0, name: String(a.properties.displayName) };
          const code = a.properties.status.code;
          if (code === "Healthy") c.passed++;
          else if (code === "Unhealthy") c.failed++;
          else c.skipped++;
          byKey.set(a.name, c);
          controls.set(ref.controlId, byKey);
        }
      }
      const stdId = `/subscriptions/${sub}/providers/Microsoft.Security/regulatoryComplianceStandards/${standard}`;
      let passedControls = 0;
      let failedControls = 0;
      for (const [controlId, byKey] of controls) {
        const controlPath = `${stdId}/regulatoryComplianceControls/${controlId}`;
        let failedAssessments = 0;
        let passedAssessments = 0;
        for (const [key, c] of byKey) {
          const state = c.failed ? "Failed" : c.passed ? "Passed" : "Skipped";
          if (state === "Failed") failedAssessments++;
          else if (state === "Passed") passedAssessments++;
          out.push({
            id: `${controlPath}/regulatoryComplianceAssessments/${key}`,
            name: key,
            type: "microsoft.security/regulatorycompliancestandards/regulatorycompliancecontrols/regulatorycomplianceassessments",
            tenantId,
            subscriptionId: sub,
            resourceGroup: "",
            location: "",
            properties: { description: c.name, assessmentType: "AssessmentResult", assessmentDetailsLink: `https://portal.azure.com/#blade/Microsoft_Azure_Security/RecommendationsBlade/assessmentKey/${key}`, state, passedResources: c.passed, failedResources: c.failed, skippedResources: c.skipped, unsupportedResources: 0 },
          });
        }
        const state = failedAssessments ? "Failed" : passedAssessments ? "Passed" : "Skipped";
        if (state === "Failed") failedControls++;
        else if (state === "Passed") passedControls++;
        out.push({
          id: controlPath,
          name: controlId,
          type: "microsoft.security/regulatorycompliancestandards/regulatorycompliancecontrols",
          tenantId,
          subscriptionId: sub,
          resourceGroup: "",
          location: "",
          properties: { description: controlId, state, passedAssessments, failedAssessments, skippedAssessments: byKey.size - passedAssessments - failedAssessments },
        });
      }
      out.push({
        id: stdId,
        name: standard,
        type: "microsoft.security/regulatorycompliancestandards",
        tenantId,
        subscriptionId: sub,
        resourceGroup: "",
        location: "",
        properties: { state: failedControls ? "Failed" : "Passed", passedControls, failedControls, skippedControls: 0, unsupportedControls: 0 },
      });
    }
  }
  return out;
}

/** Re-exported so callers do not need to know the file layout. */
export { createRng, subSeed };
