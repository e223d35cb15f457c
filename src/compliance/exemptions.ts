import { createHash } from "node:crypto";
import { z } from "zod";
import { InputError } from "../domain/errors";
import type { Finding } from "../domain/finding";
import { type FrameworkCatalog, policyGuid } from "./catalog";

/**
 * Exemptions: an accepted deviation with an owner, a reason and (usually) an expiry. Clarion can exempt a
 * single finding (one recommendation on one resource), a whole resource, a recommendation (optionally
 * within a scope) or a scope (subscription, resource group, resource prefix) — Defender can only exempt
 * through Azure Policy exemptions, which Clarion imports too.
 */
export const ExemptionCategory = z.enum(["mitigated", "waiver"]);
export type ExemptionCategory = z.infer<typeof ExemptionCategory>;

export const ExemptionSchema = z.object({
  id: z.string().min(1),
  target: z.enum(["finding", "resource", "recommendation", "scope"]),
  findingId: z.string().optional(),
  resourceId: z.string().optional(),
  /** Defender assessment key (finding.recommendation.id). */
  recommendationId: z.string().optional(),
  /** ARM scope prefix: /subscriptions/X, /subscriptions/X/resourceGroups/Y, or a resource id. */
  scope: z.string().optional(),
  /** Restricts the exemption to findings whose recommendation comes from these policies (GUIDs). */
  policyDefinitionIds: z.array(z.string()).optional(),
  owner: z.string().min(1),
  justification: z.string().min(1),
  category: ExemptionCategory,
  expiresOn: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
  source: z.enum(["clarion", "azure-policy"]),
  azure: z
    .object({
      id: z.string(),
      displayName: z.string().optional(),
      policyAssignmentId: z.string(),
      policyDefinitionReferenceIds: z.array(z.string()),
      /** How the assignment's policies were resolved; "unresolved" exemptions are listed but match nothing. */
      resolution: z.enum(["initiative", "definition", "defender-default", "unresolved"]),
    })
    .optional(),
});
export type Exemption = z.infer<typeof ExemptionSchema>;

export type ExemptionState = "active" | "expiring" | "expired";

const DAY = 86_400_000;

/** active, expiring (active but ends within `withinDays`), or expired. */
export function exemptionState(e: Exemption, now: Date, withinDays = 30): ExemptionState {
  if (!e.expiresOn) return "active";
  const end = Date.parse(e.expiresOn);
  if (end <= now.getTime()) return "expired";
  return end - now.getTime() <= withinDays * DAY ? "expiring" : "active";
}

/** The subject an exemption is matched against: a finding, or an assessment turned into the same shape. */
export interface ExemptionSubject {
  findingId?: string;
  resourceId: string;
  recommendationId: string;
  policyDefinitionId?: string | null;
}

export const subjectOf = (f: Finding): ExemptionSubject => ({
  findingId: f.id,
  resourceId: f.resourceId,
  recommendationId: f.recommendation.id,
  policyDefinitionId: f.recommendation.policyDefinitionId,
});

function underScope(resourceId: string, scope: string): boolean {
  const r = resourceId.toLowerCase();
  const s = scope.toLowerCase().replace(/\/+$/, "");
  return r === s || r.startsWith(`${s}/`);
}

/** Whether an exemption covers a subject (regardless of expiry). */
export function exemptionMatches(e: Exemption, s: ExemptionSubject): boolean {
  if (e.azure?.resolution === "unresolved") return false;
  if (e.findingId && e.findingId !== s.findingId) return false;
  if (e.resourceId && e.resourceId.toLowerCase() !== s.resourceId.toLowerCase()) return false;
  if (e.recommendationId && e.recommendationId.toLowerCase() !== s.recommendationId.toLowerCase()) return false;
  if (e.scope && !underScope(s.resourceId, e.scope)) return false;
  if (e.policyDefinitionIds) {
    if (!s.policyDefinitionId) return false;
    if (!e.policyDefinitionIds.includes(policyGuid(s.policyDefinitionId))) return false;
  }
  return true;
}

const SPECIFICITY: Record<Exemption["target"], number> = { finding: 0, resource: 1, recommendation: 2, scope: 3 };

/** The exemption that applies now: the most specific unexpired match (latest expiry breaks ties). */
export function effectiveExemption(exemptions: Exemption[], s: ExemptionSubject, now: Date): Exemption | undefined {
  let best: Exemption | undefined;
  for (const e of exemptions) {
    if (exemptionState(e, now) === "expired" || !exemptionMatches(e, s)) continue;
    if (
      !best ||
      SPECIFICITY[e.target] < SPECIFICITY[best.target] ||
      (SPECIFICITY[e.target] === SPECIFICITY[best.target] && expiry(e) > expiry(best))
    )
      best = e;
  }
  return best;
}

const expiry = (e: Exemption) => (e.expiresOn ? Date.parse(e.expiresOn) : Number.POSITIVE_INFINITY);

export function toFindingExemption(e: Exemption): NonNullable<Finding["exemption"]> {
  return { id: e.id, category: e.category, justification: e.justification, owner: e.owner, expiresOn: e.expiresOn };
}

/** Sets `finding.exemption` on each finding (null where none applies now). Returns new objects. */
export function applyExemptions(findings: Finding[], exemptions: Exemption[], now: Date): Finding[] {
  return findings.map((f) => {
    const e = effectiveExemption(exemptions, subjectOf(f), now);
    return { ...f, exemption: e ? toFindingExemption(e) : null };
  });
}

/** Raw status (what Defender says) beside the status after exemptions. */
export function postExemptionStatus(f: Finding): "Unhealthy" | "Healthy" | "NotApplicable" | "Exempt" {
  return f.status === "Unhealthy" && f.exemption ? "Exempt" : f.status;
}

export interface NewExemption {
  findingId?: string;
  resourceId?: string;
  recommendationId?: string;
  scope?: string;
  owner: string;
  justification: string;
  category: string;
  expiresOn?: string | null;
  createdBy: string;
  now: Date;
}

/** Validates and builds a Clarion exemption; the target is the most specific thing named. */
export function createExemption(x: NewExemption): Exemption {
  const target: Exemption["target"] = x.findingId
    ? "finding"
    : x.resourceId
      ? "resource"
      : x.recommendationId
        ? "recommendation"
        : x.scope
          ? "scope"
          : (() => {
              throw new InputError("an exemption needs a target: --finding, --resource, --recommendation or --scope", { field: "target" });
            })();
  const category = ExemptionCategory.safeParse(x.category.toLowerCase());
  if (!category.success) throw new InputError(`category must be mitigated or waiver, got '${x.category}'`, { field: "--category" });
  if (!x.owner.trim()) throw new InputError("an exemption needs an owner", { field: "--owner" });
  if (!x.justification.trim()) throw new InputError("an exemption needs a justification", { field: "--justification" });
  if (x.scope && !/^\/(subscriptions|providers\/Microsoft\.Management\/managementGroups)\//i.test(x.scope))
    throw new InputError(`scope must be an ARM id such as /subscriptions/ID[/resourceGroups/RG], got '${x.scope}'`, { field: "--scope" });
  let expiresOn: string | null = null;
  if (x.expiresOn) {
    const t = Date.parse(x.expiresOn);
    if (Number.isNaN(t)) throw new InputError(`expiry '${x.expiresOn}' is not a date (use YYYY-MM-DD or ISO 8601)`, { field: "--expires" });
    expiresOn = new Date(t).toISOString();
  }
  const createdAt = x.now.toISOString();
  const key = JSON.stringify([target, x.findingId, x.resourceId?.toLowerCase(), x.recommendationId, x.scope?.toLowerCase(), createdAt]);
  return ExemptionSchema.parse({
    id: `EX-${createHash("sha256").update(key).digest("hex").slice(0, 10)}`,
    target,
    ...(x.findingId ? { findingId: x.findingId } : {}),
    ...(x.resourceId ? { resourceId: x.resourceId } : {}),
    ...(x.recommendationId ? { recommendationId: x.recommendationId } : {}),
    ...(x.scope ? { scope: x.scope } : {}),
    owner: x.owner.trim(),
    justification: x.justification.trim(),
    category: category.data,
    expiresOn,
    createdAt,
    createdBy: x.createdBy,
    source: "clarion",
  });
}

// ---------------------------------------------------------------------------------------------------------
// Azure policy exemptions, imported from exports.

const EXEMPTION_TYPE = "microsoft.authorization/policyexemptions";
const ASSIGNMENT_TYPE = "microsoft.authorization/policyassignments";
/** Defender for Cloud's default assignment of the Microsoft cloud security benchmark. */
const DEFENDER_DEFAULT_ASSIGNMENT = /\/policyassignments\/securitycenterbuiltin$/i;
const MCSB_INITIATIVE = "1f3afdf9-d0c9-4c3d-847f-89da613e70a8";

/** Rows out of any export shape: `{value:[]}` (REST), `{data:[]}` (ARG), a JSON array (az CLI), or NDJSON. */
export function exportRows(text: string, file: string): Record<string, unknown>[] {
  const trimmed = text.replace(/^\uFEFF/, "").trim();
  if (!trimmed) return [];
  try {
    const doc = JSON.parse(trimmed) as unknown;
    if (Array.isArray(doc)) return doc as Record<string, unknown>[];
    const o = doc as Record<string, unknown>;
    if (Array.isArray(o.value)) return o.value as Record<string, unknown>[];
    if (Array.isArray(o.data)) return o.data as Record<string, unknown>[];
    return [o];
  } catch {
    return trimmed.split("\n").flatMap((line, i) => {
      if (!line.trim()) return [];
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch (e) {
        throw new InputError(`not JSON: ${(e as Error).message}`, { file, line: i + 1 });
      }
    });
  }
}

/** Properties of an ARM row, whether nested (REST, ARG) or flattened (older az CLI output). */
function props(row: Record<string, unknown>): Record<string, unknown> {
  return (row.properties && typeof row.properties === "object" ? row.properties : row) as Record<string, unknown>;
}

function rowType(row: Record<string, unknown>): string {
  const t = String(row.type ?? "").toLowerCase();
  if (t) return t;
  const id = String(row.id ?? "").toLowerCase();
  if (id.includes("/providers/microsoft.authorization/policyexemptions/")) return EXEMPTION_TYPE;
  if (id.includes("/providers/microsoft.authorization/policyassignments/")) return ASSIGNMENT_TYPE;
  return "";
}

export interface ImportResult {
  exemptions: Exemption[];
  /** Rows that are not exemptions (assignments are used for resolution, the rest skipped). */
  skipped: number;
  unresolved: string[];
}

/**
 * Turns Azure policy exemptions into Clarion exemptions. The exemption's scope is its own id's prefix; the
 * policies it covers come from its assignment (from the same export, or Defender's default MCSB
 * assignment) narrowed by `policyDefinitionReferenceIds`. Exemptions whose assignment cannot be resolved
 * are kept but match nothing — Clarion never guesses which findings an auditor may treat as exempt.
 */
export function importAzureExemptions(
  text: string,
  file: string,
  catalog: FrameworkCatalog,
  opts: { now: Date; actor: string },
): ImportResult {
  const rows = exportRows(text, file);
  const assignments = new Map<string, string>();
  for (const r of rows) {
    if (rowType(r) !== ASSIGNMENT_TYPE) continue;
    const p = props(r);
    if (r.id && p.policyDefinitionId) assignments.set(String(r.id).toLowerCase(), String(p.policyDefinitionId));
  }
  const out: Exemption[] = [];
  const unresolved: string[] = [];
  let skipped = 0;
  rows.forEach((r, index) => {
    if (rowType(r) !== EXEMPTION_TYPE) {
      skipped++;
      return;
    }
    const p = props(r);
    const id = String(r.id ?? "");
    const cut = id.toLowerCase().indexOf("/providers/microsoft.authorization/policyexemptions/");
    if (cut < 0)
      throw new InputError("policy exemption id does not contain /providers/Microsoft.Authorization/policyExemptions/", {
        file,
        index,
        field: "id",
      });
    const assignmentId = String(p.policyAssignmentId ?? "");
    if (!assignmentId)
      throw new InputError("policy exemption has no policyAssignmentId", { file, index, field: "properties.policyAssignmentId" });
    const categoryRaw = String(p.exemptionCategory ?? "").toLowerCase();
    const category = ExemptionCategory.safeParse(categoryRaw);
    if (!category.success)
      throw new InputError(`exemptionCategory must be Waiver or Mitigated, got '${p.exemptionCategory}'`, {
        file,
        index,
        field: "properties.exemptionCategory",
      });
    const refIds = Array.isArray(p.policyDefinitionReferenceIds) ? (p.policyDefinitionReferenceIds as unknown[]).map(String) : [];
    const { resolution, guids } = resolveAssignment(assignmentId, refIds, assignments, catalog);
    if (resolution === "unresolved") unresolved.push(id);
    const meta = (p.metadata ?? {}) as Record<string, unknown>;
    const system = (r.systemData ?? {}) as Record<string, unknown>;
    const owner = String(meta.owner ?? meta.requestedBy ?? system.createdBy ?? "unknown (Azure policy exemption)");
    const justification = String(p.description ?? p.displayName ?? r.name ?? "(no description in the Azure exemption)");
    out.push(
      ExemptionSchema.parse({
        id: `EX-az-${createHash("sha256").update(id.toLowerCase()).digest("hex").slice(0, 10)}`,
        target: "scope",
        scope: id.slice(0, cut) || "/",
        ...(guids ? { policyDefinitionIds: guids } : {}),
        owner,
        justification,
        category: category.data,
        expiresOn: p.expiresOn ? new Date(String(p.expiresOn)).toISOString() : null,
        createdAt: String(system.createdAt ?? opts.now.toISOString()),
        createdBy: String(system.createdBy ?? opts.actor),
        source: "azure-policy",
        azure: {
          id,
          displayName: p.displayName ? String(p.displayName) : undefined,
          policyAssignmentId: assignmentId,
          policyDefinitionReferenceIds: refIds,
          resolution,
        },
      }),
    );
  });
  return { exemptions: out, skipped, unresolved };
}

function resolveAssignment(
  assignmentId: string,
  refIds: string[],
  assignments: Map<string, string>,
  catalog: FrameworkCatalog,
): { resolution: NonNullable<Exemption["azure"]>["resolution"]; guids?: string[] } {
  let definition = assignments.get(assignmentId.toLowerCase());
  let resolution: NonNullable<Exemption["azure"]>["resolution"] = "initiative";
  if (!definition && DEFENDER_DEFAULT_ASSIGNMENT.test(assignmentId)) {
    definition = `/providers/Microsoft.Authorization/policySetDefinitions/${MCSB_INITIATIVE}`;
    resolution = "defender-default";
  }
  if (!definition) return { resolution: "unresolved" };
  const guid = policyGuid(definition);
  if (/\/policydefinitions\//i.test(definition)) return { resolution: "definition", guids: [guid] };
  const fw = catalog.frameworks.find((f) => policyGuid(f.initiative.id) === guid);
  if (!fw?.references) return { resolution: "unresolved" };
  const refs = fw.references;
  const guids = refIds.length ? refIds.map((r) => refs[r]).filter((g): g is string => !!g) : [...new Set(Object.values(refs))];
  return { resolution, guids: [...new Set(guids)].sort() };
}
