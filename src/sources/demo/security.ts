import type { ArmResource } from "../../domain/resource";
import type { Pack, EvaluationContext } from "../../packs/schema";
import { CVES } from "./catalog";
import { createRng, subSeed } from "./rng";

/**
 * Defender for Cloud's view of the demo estate, in ARG `securityresources` shapes: assessments computed by the
 * knowledge packs' own `evaluate()` from resource properties (never random labels), vulnerability
 * sub-assessments with real CVE ids, Secure Score with its controls, and alerts.
 */

export const VULN_PARENT_KEY = "1195afff-c881-495e-9bc5-1486211ae03f"; // Machines should have vulnerability findings resolved

/** Builds the look-ups packs use to see related resources, once for the whole estate. */
export function createEvaluationIndex(rows: ArmResource[]): (resource: ArmResource) => EvaluationContext {
  const bySubType = new Map<string, ArmResource[]>();
  const sortedIds = rows.map((r) => ({ key: r.id.toLowerCase(), r })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const r of rows) {
    const k = `${(r.subscriptionId ?? "").toLowerCase()}|${r.type.toLowerCase()}`;
    const list = bySubType.get(k);
    if (list) list.push(r);
    else bySubType.set(k, [r]);
  }
  return (resource) => ({
    related: (type) => bySubType.get(`${(resource.subscriptionId ?? "").toLowerCase()}|${type.toLowerCase()}`) ?? [],
    children: () => {
      const prefix = `${resource.id.toLowerCase()}/`;
      let lo = 0;
      let hi = sortedIds.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sortedIds[mid].key < prefix) lo = mid + 1;
        else hi = mid;
      }
      const out: ArmResource[] = [];
      for (let i = lo; i < sortedIds.length && sortedIds[i].key.startsWith(prefix); i++) out.push(sortedIds[i].r);
      return out;
    },
  });
}

/** A stable GUID-shaped key for packs whose recommendation has no public assessment key. */
export function syntheticKey(packId: string): string {
  return createRng(subSeed(7, packId)).uuid();
}

export interface AssessOptions {
  seed: number;
  now: Date;
  tenantId: string;
}

export interface AssessmentRow extends ArmResource {
  properties: Record<string, unknown> & { status: { code: string } };
}

/** Runs every pack over every resource of its types; one bad pack is recorded, never fatal. */
export function assessEstate(universe: ArmResource[], packs: Pack[], opts: AssessOptions): { rows: AssessmentRow[]; errors: { pack: string; resourceId: string; message: string }[] } {
  const ctxFor = createEvaluationIndex(universe);
  const byType = new Map<string, ArmResource[]>();
  for (const r of universe) {
    const t = r.type.toLowerCase();
    const list = byType.get(t);
    if (list) list.push(r);
    else byType.set(t, [r]);
  }
  const rng = createRng(subSeed(opts.seed, "assessments"));
  const rows: AssessmentRow[] = [];
  const errors: { pack: string; resourceId: string; message: string }[] = [];
  for (const pack of packs) {
    const key = pack.meta.assessmentKeys[0] ?? syntheticKey(pack.meta.id);
    for (const type of pack.meta.resourceTypes) {
      for (const resource of byType.get(type.toLowerCase()) ?? []) {
        let verdict;
        try {
          verdict = pack.module.evaluate(resource, ctxFor(resource));
        } catch (e) {
          errors.push({ pack: pack.meta.id, resourceId: resource.id, message: (e as Error).message });
          continue;
        }
        if (verdict.result === "errored") {
          errors.push({ pack: pack.meta.id, resourceId: resource.id, message: verdict.reason });
          continue;
        }
        const code = verdict.result === "compliant" ? "Healthy" : verdict.result === "noncompliant" ? "Unhealthy" : "NotApplicable";
        const firstEval = new Date(opts.now.getTime() - rng.int(20, 200) * 86_400_000);
        rows.push({
          id: `${resource.id}/providers/Microsoft.Security/assessments/${key}`,
          name: key,
          type: "microsoft.security/assessments",
          tenantId: opts.tenantId,
          subscriptionId: resource.subscriptionId,
          resourceGroup: resource.resourceGroup,
          location: "",
          properties: {
            resourceDetails: { Source: "Azure", Id: resource.id, ResourceId: resource.id, ResourceName: resource.name, ResourceType: resource.type, ResourceProvider: resource.type.split("/")[0] },
            displayName: pack.meta.title,
            status: {
              code,
              ...(code === "NotApplicable" ? { cause: "NotApplicable", description: verdict.reason } : code === "Unhealthy" ? { description: verdict.reason } : {}),
              firstEvaluationDate: firstEval.toISOString(),
              statusChangeDate: firstEval.toISOString(),
            },
            additionalData: code === "Unhealthy" && verdict.evidence?.length ? { evidence: JSON.stringify(verdict.evidence) } : {},
            metadata: {
              displayName: pack.meta.title,
              assessmentType: "BuiltIn",
              policyDefinitionId: pack.meta.policyDefinitionIds[0],
              severity: pack.meta.severity,
              categories: [pack.meta.category],
              userImpact: pack.meta.fix.downtime === "none" ? "Low" : "Moderate",
              implementationEffort: "Low",
              threats: pack.meta.threats,
              description: pack.explain.Risk,
              remediationDescription: pack.explain.Fix,
            },
            links: { azurePortal: `portal.azure.com/#blade/Microsoft_Azure_Security/RecommendationsBlade/assessmentKey/${key}` },
          },
        } as unknown as AssessmentRow);
      }
    }
  }
  return { rows, errors };
}

/** Vulnerability findings (real CVE ids) for a share of the VMs; the planted jump host gets BlueKeep. */
export function vulnerabilityFindings(resources: ArmResource[], opts: { seed: number; now: Date; tenantId: string; plantedVm?: string }): ArmResource[] {
  const rng = createRng(subSeed(opts.seed, "vulns"));
  const out: ArmResource[] = [];
  for (const vm of resources) {
    if (vm.type !== "microsoft.compute/virtualmachines") continue;
    const os = ((vm.properties as Record<string, any>)?.storageProfile?.osDisk?.osType ?? "Linux") as string;
    const planted = opts.plantedVm && vm.id.toLowerCase() === opts.plantedVm.toLowerCase();
    if (!planted && !rng.chance(0.45)) continue;
    const candidates = CVES.filter((c) => c.os === os);
    const picks = new Set<(typeof CVES)[number]>();
    if (planted) picks.add(CVES.find((c) => c.id === "CVE-2019-0708")!);
    const n = rng.int(1, 3);
    for (let i = 0; i < n; i++) picks.add(rng.pick(candidates));
    for (const cve of picks) {
      const subKey = createRng(subSeed(opts.seed, `${vm.id}|${cve.id}`)).uuid();
      out.push({
        id: `${vm.id}/providers/Microsoft.Security/assessments/${VULN_PARENT_KEY}/subAssessments/${subKey}`,
        name: subKey,
        type: "microsoft.security/assessments/subassessments",
        tenantId: opts.tenantId,
        subscriptionId: vm.subscriptionId,
        resourceGroup: vm.resourceGroup,
        location: "",
        properties: {
          id: cve.id,
          displayName: cve.title,
          status: { code: "Unhealthy", severity: cve.severity, cause: "", description: "Vulnerability found" },
          remediation: "Apply the vendor's security update.",
          impact: cve.title,
          category: os === "Windows" ? "Windows" : "Ubuntu",
          description: cve.title,
          timeGenerated: new Date(opts.now.getTime() - rng.int(1, 20) * 86_400_000).toISOString(),
          resourceDetails: { source: "Azure", id: vm.id },
          additionalData: {
            assessedResourceType: "ServerVulnerabilityAssessment",
            type: "ServerVulnerabilityAssessment",
            cvss: { "3.0": { base: cve.cvss } },
            patchable: true,
            cve: [{ title: cve.id, link: `https://nvd.nist.gov/vuln/detail/${cve.id}` }],
            publishedTime: "2023-01-01T00:00:00Z",
          },
        },
      });
    }
  }
  return out;
}

/** Secure Score controls (display names and maximum points as Defender shows them). */
export const SECURE_SCORE_CONTROLS: { name: string; max: number; match: RegExp }[] = [
  { name: "Enable enhanced security features", max: 0, match: /^(microsoft )?defender (cspm|for) .* should be enabled|defender plan/i },
  { name: "Enable MFA", max: 10, match: /\bMFA\b|multi-?factor/i },
  { name: "Secure management ports", max: 8, match: /management port|just-in-time|\bRDP\b|\bSSH\b/i },
  { name: "Remediate vulnerabilities", max: 6, match: /vulnerab/i },
  { name: "Apply system updates", max: 6, match: /system updates|missing updates|patch/i },
  { name: "Enable endpoint protection", max: 2, match: /endpoint protection|defender for endpoint|antimalware|\bEDR\b/i },
  { name: "Encrypt data in transit", max: 4, match: /https|\bTLS\b|secure transfer|FTPS|in transit/i },
  { name: "Enable encryption at rest", max: 4, match: /encrypt|customer-managed key|\bTDE\b/i },
  { name: "Restrict unauthorized network access", max: 4, match: /network|firewall|private link|private endpoint|authorized ip|public access|publicly/i },
  { name: "Manage access and permissions", max: 4, match: /owner|permission|rbac|role|local auth|shared key|admin|identit|access polic|account|guest/i },
  { name: "Enable auditing and logging", max: 1, match: /audit|diagnostic|log/i },
  { name: "Remediate security configurations", max: 4, match: /configuration|kubernetes|container|cluster/i },
  { name: "Implement security best practices", max: 0, match: /.*/ },
];

export function secureScoreControlFor(title: string): { name: string; max: number } {
  return SECURE_SCORE_CONTROLS.find((c) => c.match.test(title)) ?? SECURE_SCORE_CONTROLS[SECURE_SCORE_CONTROLS.length - 1];
}

/** Secure Score and its controls per subscription, computed the way Defender does: points × healthy share. */
export function secureScores(assessments: AssessmentRow[], subscriptions: string[], tenantId: string): ArmResource[] {
  const out: ArmResource[] = [];
  for (const sub of subscriptions) {
    const perControl = new Map<string, { max: number; healthy: number; unhealthy: number; na: number; keys: Set<string> }>();
    for (const c of SECURE_SCORE_CONTROLS) perControl.set(c.name, { max: c.max, healthy: 0, unhealthy: 0, na: 0, keys: new Set() });
    for (const a of assessments) {
      if (a.subscriptionId !== sub) continue;
      const control = perControl.get(secureScoreControlFor(String(a.properties.displayName)).name)!;
      control.keys.add(a.name);
      const code = a.properties.status.code;
      if (code === "Healthy") control.healthy++;
      else if (code === "Unhealthy") control.unhealthy++;
      else control.na++;
    }
    let current = 0;
    let max = 0;
    for (const [name, c] of perControl) {
      const assessed = c.healthy + c.unhealthy;
      if (assessed === 0) continue;
      const score = round2((c.max * c.healthy) / assessed);
      current += score;
      max += c.max;
      const controlId = createRng(subSeed(11, name)).uuid();
      out.push({
        id: `/subscriptions/${sub}/providers/Microsoft.Security/secureScores/ascScore/secureScoreControls/${controlId}`,
        name: controlId,
        type: "microsoft.security/securescores/securescorecontrols",
        tenantId,
        subscriptionId: sub,
        resourceGroup: "",
        location: "",
        properties: {
          displayName: name,
          healthyResourceCount: c.healthy,
          unhealthyResourceCount: c.unhealthy,
          notApplicableResourceCount: c.na,
          weight: assessed,
          score: { max: c.max, current: score, percentage: c.max ? round4(score / c.max) : 0 },
          definition: {
            id: `/providers/Microsoft.Security/secureScoreControlDefinitions/${controlId}`,
            name: controlId,
            type: "Microsoft.Security/secureScoreControlDefinitions",
            properties: { displayName: name, maxScore: c.max, source: { sourceType: "BuiltIn" }, assessmentDefinitions: [...c.keys].map((k) => ({ id: `/providers/Microsoft.Security/assessmentMetadata/${k}` })) },
          },
        },
      });
    }
    out.push({
      id: `/subscriptions/${sub}/providers/Microsoft.Security/secureScores/ascScore`,
      name: "ascScore",
      type: "microsoft.security/securescores",
      tenantId,
      subscriptionId: sub,
      resourceGroup: "",
      location: "",
      properties: { displayName: "ASC score", score: { max, current: round2(current), percentage: max ? round4(current / max) : 0 }, weight: assessments.filter((a) => a.subscriptionId === sub).length },
    });
  }
  return out;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const round4 = (x: number) => Math.round(x * 10000) / 10000;

/** Defender alerts (REST 2022-01-01 shape); the planted ones sit on the attack path's entry point. */
export function demoAlerts(resources: ArmResource[], opts: { seed: number; now: Date; planted: Record<string, string> }): Record<string, unknown>[] {
  const rng = createRng(subSeed(opts.seed, "alerts"));
  const hoursAgo = (h: number) => new Date(opts.now.getTime() - h * 3_600_000).toISOString();
  const alert = (resourceId: string, alertType: string, displayName: string, severity: string, intent: string, h: number, description: string) => {
    const name = createRng(subSeed(opts.seed, `${resourceId}|${alertType}|${h}`)).uuid();
    const sub = resourceId.split("/")[2];
    return {
      id: `/subscriptions/${sub}/resourceGroups/${resourceId.split("/")[4]}/providers/Microsoft.Security/locations/westeurope/alerts/${name}`,
      name,
      type: "Microsoft.Security/Locations/alerts",
      properties: {
        status: "Active",
        severity,
        intent,
        alertType,
        systemAlertId: name,
        productComponentName: "Servers",
        alertDisplayName: displayName,
        description,
        startTimeUtc: hoursAgo(h + 0.5),
        endTimeUtc: hoursAgo(h),
        timeGeneratedUtc: hoursAgo(h),
        processingEndTimeUtc: hoursAgo(h - 0.1),
        resourceIdentifiers: [{ type: "AzureResource", azureResourceId: resourceId }],
        remediationSteps: ["Restrict the port to known addresses or use just-in-time access.", "Investigate the source addresses."],
        vendorName: "Microsoft",
        productName: "Microsoft Defender for Cloud",
        compromisedEntity: resourceId.split("/").pop(),
        isIncident: false,
        entities: [{ $id: "1", type: "azure-resource", resourceId }],
        extendedProperties: {},
        techniques: intent === "PreAttack" || intent === "CredentialAccess" ? ["T1110"] : ["T1204"],
      },
    };
  };
  const out: Record<string, unknown>[] = [];
  if (opts.planted.jumpVm)
    out.push(alert(opts.planted.jumpVm, "VM_RDPBruteForce", "Failed RDP brute force attack", "Medium", "PreAttack", 3, "Many failed sign-in attempts over RDP from a small set of Internet addresses were seen on this machine."));
  if (opts.planted.buildVm)
    out.push(alert(opts.planted.buildVm, "VM_SshBruteForce", "Failed SSH brute force attack", "Medium", "PreAttack", 20, "Many failed SSH sign-in attempts from Internet addresses were seen on this machine."));
  const vms = resources.filter((r) => r.type === "microsoft.compute/virtualmachines");
  for (let i = 0; i < 4 && vms.length; i++) {
    const vm = rng.pick(vms);
    out.push(
      rng.chance(0.5)
        ? alert(vm.id, "VM_SuspectInitialShellCommand", "Suspicious shell command seen", "Low", "Execution", rng.int(10, 400), "A shell command often used in the first minutes of an intrusion ran on this machine.")
        : alert(vm.id, "VM_AmBroadFilesExclusion", "Broad antimalware exclusion added", "Low", "DefenseEvasion", rng.int(10, 400), "An exclusion rule that disables malware scanning for a wide set of files was added."),
    );
  }
  const vaults = resources.filter((r) => r.type === "microsoft.keyvault/vaults");
  if (vaults.length) out.push(alert(rng.pick(vaults).id, "KV_UserAnomaly", "Unusual user accessed a key vault", "Medium", "CredentialAccess", rng.int(30, 300), "A user who does not normally use this vault read secrets from it."));
  return out;
}
