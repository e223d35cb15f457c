import type { Remediation } from "../domain/finding";

/**
 * The fallback for findings whose recommendation has no knowledge pack: an explanation and remediation built only
 * from the assessment's own metadata, marked `engine: generic` so readers (and the grounding check) know no pack
 * vouched for it. Attacker-controllable text (names, descriptions) is quoted as data, never interpreted.
 */
export interface GenericAssessment {
  /** Assessment key (GUID) or recommendation id. */
  id: string;
  displayName: string;
  severity?: "High" | "Medium" | "Low" | string;
  description?: string;
  remediationDescription?: string;
  /** Built-in policy behind the recommendation, if any (`/providers/Microsoft.Authorization/policyDefinitions/<guid>`). */
  policyDefinitionId?: string | null;
  resourceId: string;
  resourceName?: string;
  resourceType?: string;
  category?: string;
}

export interface GenericExplanation {
  summary: string;
  businessImpact: string;
  complianceImpact: string;
  recommendedAction: string;
  citations: { factId: string; value: string; source: string }[];
  engine: "generic";
  model: null;
  grounding: number;
}

const MAX = 600;
/** Collapses whitespace, strips markup and control characters, and bounds length: metadata text is data. */
export function clean(text: string | undefined | null, max = MAX): string {
  if (!text) return "";
  const s = text
    .replace(/<[^>]*>/g, " ")
    .replace(/[\u0000-\u001f\u007f]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function nameOf(a: GenericAssessment): string {
  return clean(a.resourceName, 120) || clean(a.resourceId.split("/").pop(), 120) || "the resource";
}

export function explainGeneric(a: GenericAssessment): GenericExplanation {
  const name = nameOf(a);
  const title = clean(a.displayName, 200);
  const sev = clean(a.severity ?? "", 10) || "unrated";
  const citations = [
    { factId: "resource.name", value: name, source: "inventory" },
    { factId: "recommendation.name", value: title, source: "assessment metadata" },
    { factId: "recommendation.severity", value: sev, source: "assessment metadata" },
  ];
  if (a.description) citations.push({ factId: "recommendation.description", value: clean(a.description), source: "assessment metadata" });
  if (a.policyDefinitionId) citations.push({ factId: "recommendation.policy", value: a.policyDefinitionId, source: "assessment metadata" });
  const desc = clean(a.description);
  return {
    summary: `${name} does not meet the Defender for Cloud recommendation "${title}" (severity ${sev}).`,
    businessImpact: desc
      ? `Defender describes the issue as: "${desc}" Clarion has no knowledge pack for this recommendation, so the business impact has not been assessed beyond that description.`
      : "Clarion has no knowledge pack for this recommendation and the assessment carries no description, so its business impact has not been assessed.",
    complianceImpact: a.policyDefinitionId
      ? `The recommendation is backed by Azure Policy ${a.policyDefinitionId}; frameworks that include that policy map it to their controls.`
      : "No policy definition is attached, so no framework mapping can be derived for it.",
    recommendedAction: clean(a.remediationDescription) || "Follow the remediation steps shown for this recommendation in Defender for Cloud.",
    citations,
    engine: "generic",
    model: null,
    grounding: 1,
  };
}

/** Drafts remediation from metadata alone: the manual steps, plus an Azure Policy assignment of the built-in policy. */
export function remediateGeneric(a: GenericAssessment): Remediation[] {
  const steps = clean(a.remediationDescription, 2000) || "See the remediation steps for this recommendation in Defender for Cloud.";
  const sub = /\/subscriptions\/([^/]+)/i.exec(a.resourceId)?.[1] ?? "<subscription-id>";
  const out: Remediation[] = [
    {
      kind: "az-cli",
      title: "Review the finding and follow Defender's remediation steps",
      precheck: `az security assessment show --name ${a.id} --assessed-resource-id '${a.resourceId.replace(/'/g, "")}'`,
      content: `# No knowledge pack: manual remediation from the assessment metadata.\n# ${steps.replace(/\n/g, " ")}\naz resource show --ids '${a.resourceId.replace(/'/g, "")}'`,
      rollback: "# Manual change: record the settings shown by the precheck before changing them and restore them to roll back.",
      requiredRole: "Contributor on the resource (confirm the narrower role for this setting)",
      downtime: "unknown: not assessed without a pack",
    },
  ];
  const guid = a.policyDefinitionId?.split("/").pop();
  if (a.policyDefinitionId && guid && /^[0-9a-z-]{36}$/i.test(guid)) {
    const assignment = { properties: { displayName: `${clean(a.displayName, 100)} (Clarion generic)`, policyDefinitionId: a.policyDefinitionId, scope: `/subscriptions/${sub}`, enforcementMode: "DoNotEnforce" } };
    out.push({
      kind: "azure-policy",
      title: "Assign the built-in policy behind this recommendation (audit only)",
      precheck: `az policy definition show --name ${guid}`,
      content: JSON.stringify(assignment, null, 2),
      rollback: `az policy assignment delete --name clarion-${guid.slice(0, 8)} --scope /subscriptions/${sub}`,
      requiredRole: "Resource Policy Contributor",
      downtime: "none (DoNotEnforce)",
    });
  }
  return out;
}
