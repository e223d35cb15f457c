import { NotFoundError } from "../domain/errors";
import type { Finding } from "../domain/finding";
import type { ArmResource } from "../domain/resource";
import type { FrameworkCatalog } from "./catalog";

/**
 * Onboarding baseline: which Defender plans and policy initiatives a subscription should have, from its
 * purpose (environment tags and contents) — each recommendation with the facts that led to it.
 */
export type Purpose = "production" | "development" | "shared" | "unknown";

export interface PlanAdvice {
  plan: string;
  label: string;
  recommended: "Standard" | "Free";
  subPlan?: string;
  current: string;
  action: "enable" | "keep" | "optional" | "not needed" | "consider disabling";
  resources: number;
  reasons: string[];
}

export interface InitiativeAdvice {
  framework: string;
  initiative: { id: string; displayName: string };
  reasons: string[];
  assign: string;
}

export interface Baseline {
  subscriptionId: string;
  name: string;
  purpose: Purpose;
  purposeReasons: string[];
  dataClassifications: string[];
  plans: PlanAdvice[];
  initiatives: InitiativeAdvice[];
  openFindings: number;
  /** Observations beyond plans and initiatives (e.g. sensitive data outside production). */
  notes: string[];
}

const PLANS: { plan: string; label: string; types: string[] }[] = [
  {
    plan: "VirtualMachines",
    label: "Defender for Servers",
    types: ["microsoft.compute/virtualmachines", "microsoft.compute/virtualmachinescalesets", "microsoft.hybridcompute/machines"],
  },
  { plan: "SqlServers", label: "Defender for Azure SQL", types: ["microsoft.sql/servers", "microsoft.sql/managedinstances"] },
  {
    plan: "OpenSourceRelationalDatabases",
    label: "Defender for open-source databases",
    types: [
      "microsoft.dbforpostgresql/flexibleservers",
      "microsoft.dbformysql/flexibleservers",
      "microsoft.dbforpostgresql/servers",
      "microsoft.dbformysql/servers",
    ],
  },
  { plan: "CosmosDbs", label: "Defender for Azure Cosmos DB", types: ["microsoft.documentdb/databaseaccounts"] },
  { plan: "StorageAccounts", label: "Defender for Storage", types: ["microsoft.storage/storageaccounts"] },
  { plan: "KeyVaults", label: "Defender for Key Vault", types: ["microsoft.keyvault/vaults"] },
  { plan: "AppServices", label: "Defender for App Service", types: ["microsoft.web/sites"] },
  {
    plan: "Containers",
    label: "Defender for Containers",
    types: ["microsoft.containerservice/managedclusters", "microsoft.containerregistry/registries"],
  },
  { plan: "Api", label: "Defender for APIs", types: ["microsoft.apimanagement/service"] },
  { plan: "Arm", label: "Defender for Resource Manager", types: [] },
  { plan: "CloudPosture", label: "Defender CSPM", types: [] },
];

const ENV_KEYS = ["environment", "env", "stage", "tier"];
const DATA_KEYS = ["dataclassification", "data-classification", "classification", "datatype", "compliance"];
const SENSITIVE = /pci|cardholder|phi|hipaa|health|pii|personal|confidential|restricted|secret|gdpr/i;

function tag(tags: Record<string, string | null> | null | undefined, keys: string[]): [string, string] | undefined {
  for (const [k, v] of Object.entries(tags ?? {})) if (keys.includes(k.toLowerCase())) return [k, String(v)];
  return undefined;
}

function purposeOf(value: string): Purpose | undefined {
  const v = value.toLowerCase();
  if (/^(prod|production|prd|live)$/.test(v) || v.startsWith("prod")) return "production";
  if (/^(dev|development|test|testing|qa|sandbox|nonprod|non-prod|staging|uat)/.test(v)) return "development";
  if (/^(shared|corp|corporate|hub|platform|connectivity|management)/.test(v)) return "shared";
  return undefined;
}

export function recommendBaseline(
  catalog: FrameworkCatalog,
  resources: ArmResource[],
  findings: Finding[],
  subscriptionId: string,
): Baseline {
  const subId = subscriptionId.toLowerCase();
  const sub = resources.find(
    (r) => r.type.toLowerCase() === "microsoft.resources/subscriptions" && (r.subscriptionId ?? r.name).toLowerCase() === subId,
  );
  const mine = resources.filter((r) => (r.subscriptionId ?? r.id.split("/")[2] ?? "").toLowerCase() === subId);
  if (!sub && !mine.length) {
    const known = resources
      .filter((r) => r.type.toLowerCase() === "microsoft.resources/subscriptions")
      .map((r) => `${r.subscriptionId ?? r.name} (${(r.properties as { displayName?: string } | undefined)?.displayName ?? ""})`);
    throw new NotFoundError(`no subscription ${subscriptionId} in the store`, {
      hint: known.length ? `known: ${known.join(", ")}` : "run `clarion demo` or `clarion run` first",
    });
  }
  const name = String((sub?.properties as { displayName?: string } | undefined)?.displayName ?? subscriptionId);

  // Purpose: the subscription's own tag, else the resource groups' and resources' tags, else its name.
  const purposeReasons: string[] = [];
  let purpose: Purpose = "unknown";
  const subTag = tag(sub?.tags, ENV_KEYS);
  if (subTag && purposeOf(subTag[1])) {
    purpose = purposeOf(subTag[1]) as Purpose;
    purposeReasons.push(`subscription tag ${subTag[0]}: ${subTag[1]}`);
  } else {
    const votes = new Map<Purpose, number>();
    for (const r of mine) {
      const t = tag(r.tags, ENV_KEYS);
      const p = t && purposeOf(t[1]);
      if (p) votes.set(p, (votes.get(p) ?? 0) + 1);
    }
    const top = [...votes.entries()].sort((a, b) => b[1] - a[1])[0];
    if (top) {
      purpose = top[0];
      purposeReasons.push(
        `${top[1]} of ${mine.length} resources and resource groups are tagged ${top[0]}${subTag ? ` (subscription tag ${subTag[0]}: ${subTag[1]} is not a known environment)` : " (no environment tag on the subscription)"}`,
      );
    } else {
      const p = purposeOf((name.match(/\b(prod\w*|dev\w*|test\w*|shared|corp\w*)\b/i) ?? [""])[0]);
      if (p) {
        purpose = p;
        purposeReasons.push(`subscription name "${name}" (no environment tags)`);
      } else purposeReasons.push("no environment tag and the name says nothing; treated with production caution where data is sensitive");
    }
  }

  const classifications = new Map<string, number>();
  for (const r of [...mine, ...(sub ? [sub] : [])]) {
    const t = tag(r.tags, DATA_KEYS);
    if (t) classifications.set(t[1], (classifications.get(t[1]) ?? 0) + 1);
  }
  const dataClassifications = [...classifications.keys()].sort();
  const sensitive = dataClassifications.filter((d) => SENSITIVE.test(d));
  const prodLike = purpose === "production" || purpose === "unknown";
  const open = findings.filter((f) => f.subscriptionId.toLowerCase() === subId && f.status === "Unhealthy");
  const highOpen = open.filter((f) => f.recommendation.severity === "High").length;
  const externalOwners = resources.filter(
    (r) =>
      r.type.toLowerCase() === "microsoft.authorization/roleassignments" &&
      String(r.id).toLowerCase().startsWith(`/subscriptions/${subId}`) &&
      /#ext#/i.test(JSON.stringify(r.properties ?? {})),
  ).length;

  const pricing = new Map(
    mine
      .filter((r) => r.type.toLowerCase() === "microsoft.security/pricings")
      .map((r) => [r.name.toLowerCase(), String((r.properties as { pricingTier?: string } | undefined)?.pricingTier ?? "Free")]),
  );
  const countTypes = (types: string[]) => mine.filter((r) => types.includes(r.type.toLowerCase())).length;
  const sensitiveOf = (types: string[]) =>
    mine.filter((r) => types.includes(r.type.toLowerCase()) && SENSITIVE.test(tag(r.tags, DATA_KEYS)?.[1] ?? "")).length;

  const plans: PlanAdvice[] = PLANS.map((p) => {
    const n = p.types.length ? countTypes(p.types) : mine.length;
    const sens = p.types.length ? sensitiveOf(p.types) : sensitive.length;
    const current = pricing.get(p.plan.toLowerCase()) ?? "not set";
    const reasons: string[] = [];
    let want: "Standard" | "Free";
    let subPlan: string | undefined;
    if (p.plan === "Arm") {
      want = prodLike || externalOwners > 0 || purpose === "shared" ? "Standard" : "Free";
      reasons.push(
        want === "Standard"
          ? `control-plane threats (suspicious management operations) matter in a ${purpose} subscription`
          : "development subscription without external owners: control-plane detections add little",
      );
      if (externalOwners) reasons.push(`${externalOwners} role assignment(s) held by external (guest) accounts`);
    } else if (p.plan === "CloudPosture") {
      // Defender CSPM is billed per resource; the free foundational tier keeps recommendations and Secure Score.
      want = prodLike || sensitive.length ? "Standard" : "Free";
      reasons.push(
        want === "Standard"
          ? `attack path analysis, agentless scanning and data-aware posture, because the subscription ${prodLike ? `is ${purpose === "unknown" ? "of unknown purpose" : purpose}` : "holds sensitive data"}`
          : "foundational CSPM (free) covers recommendations and Secure Score for development",
      );
      if (sensitive.length) reasons.push(`sensitive data tags present: ${sensitive.join(", ")}`);
    } else if (n === 0) {
      want = "Free";
      reasons.push(`no ${p.label.replace("Defender for ", "")} resources in this subscription`);
    } else if (prodLike || purpose === "shared") {
      want = "Standard";
      reasons.push(`${n} protected resource(s) in a ${purpose} subscription`);
      if (sens) reasons.push(`${sens} of them tagged as holding sensitive data`);
    } else if (sens) {
      want = "Standard";
      reasons.push(`development subscription, but ${sens} resource(s) are tagged as holding sensitive data`);
    } else if (p.plan === "Containers") {
      want = "Standard";
      reasons.push(`${n} cluster/registry resource(s): images built in development are the ones shipped to production, so scan them here`);
    } else if (p.plan === "KeyVaults") {
      want = "Standard";
      reasons.push(`${n} key vault(s): secrets in development often unlock shared or production systems`);
    } else {
      want = "Free";
      reasons.push(`${n} resource(s) in a development subscription without sensitive-data tags: posture recommendations (free) are enough`);
    }
    if (p.plan === "VirtualMachines" && want === "Standard") {
      subPlan = prodLike || sens ? "P2" : "P1";
      reasons.push(
        subPlan === "P2"
          ? `Plan 2: vulnerability assessment, file integrity monitoring and just-in-time access, for servers ${prodLike ? "in production" : "holding sensitive data"}`
          : "Plan 1: endpoint detection and response is enough outside production",
      );
    }
    const isOn = current === "Standard";
    const action: PlanAdvice["action"] =
      want === "Standard"
        ? isOn
          ? "keep"
          : "enable"
        : isOn
          ? n === 0 && p.types.length
            ? "consider disabling"
            : "optional"
          : "not needed";
    return { plan: p.plan, label: p.label, recommended: want, ...(subPlan ? { subPlan } : {}), current, action, resources: n, reasons };
  });

  // Initiatives: MCSB always; hardening baseline for production; regulatory ones from data tags.
  const initiatives: InitiativeAdvice[] = [];
  const add = (framework: string, reasons: string[]) => {
    const fw = catalog.get(framework);
    if (!fw || initiatives.some((i) => i.framework === framework)) return;
    const guid = fw.initiative.id.split("/").pop();
    initiatives.push({
      framework,
      initiative: { id: fw.initiative.id, displayName: fw.initiative.displayName },
      reasons,
      assign: `az policy assignment create --name clarion-${framework} --display-name "${fw.initiative.displayName}" --policy-set-definition ${guid} --scope /subscriptions/${subscriptionId}`,
    });
  };
  add("mcsb", [
    "Defender for Cloud's default initiative: the recommendations and Secure Score come from it",
    ...(highOpen ? [`${highOpen} High-severity recommendation(s) open here`] : []),
  ]);
  const joined = dataClassifications.join(" ");
  if (/pci|cardholder/i.test(joined))
    add("pci-dss-4.0", [
      `resources tagged ${dataClassifications.filter((d) => /pci|cardholder/i.test(d)).join(", ")}: cardholder data puts this subscription in PCI DSS scope`,
    ]);
  if (/phi|hipaa|health/i.test(joined))
    add("hipaa-hitrust", [
      `resources tagged ${dataClassifications.filter((d) => /phi|hipaa|health/i.test(d)).join(", ")}: health data falls under HIPAA`,
    ]);
  if (/pii|personal|gdpr|confidential/i.test(joined) && prodLike)
    add("iso-27001-2013", [
      `personal or confidential data (${dataClassifications.filter((d) => /pii|personal|gdpr|confidential/i.test(d)).join(", ")}) in a ${purpose} subscription: an ISMS control set gives auditors a common frame`,
    ]);
  if (prodLike || purpose === "shared")
    add("cis-azure-3.0.0", [
      `a ${purpose} subscription should be measured against a hardening benchmark (latest CIS Azure Foundations in the catalog)`,
    ]);
  const notes: string[] = [];
  if (purpose === "development" && sensitive.length)
    notes.push(
      `a development subscription holds data tagged ${sensitive.join(", ")}: use masked or synthetic data, or bring the subscription into the production controls' scope`,
    );
  if (externalOwners) notes.push(`${externalOwners} role assignment(s) belong to external (guest) accounts: review them (MCSB PA-4)`);
  return {
    notes,
    subscriptionId: sub?.subscriptionId ?? subscriptionId,
    name,
    purpose,
    purposeReasons,
    dataClassifications,
    plans,
    initiatives,
    openFindings: open.length,
  };
}
