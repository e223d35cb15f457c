import type { ArmResource } from "../domain/resource";
import { idKey, parseResourceId } from "../domain/resource";
import type { ActivityEvent, Alert, SecureScoreControl, SubAssessment } from "../domain/records";
import type { Fact } from "../domain/finding";
import type { NormalizedTenant } from "./normalize";

/**
 * Look-ups every stage shares, built once per run from the normalized tenant: resources by id, the tags of
 * resource groups and subscriptions, activity, alerts and vulnerabilities by resource.
 */
export class EstateIndex {
  readonly byId = new Map<string, ArmResource>();
  readonly subscriptions = new Map<string, { name: string; tags: Record<string, string> }>();
  readonly resourceGroups = new Map<string, Record<string, string>>();
  readonly activityByResource = new Map<string, ActivityEvent[]>();
  readonly alertsByResource = new Map<string, Alert[]>();
  readonly vulnsByResource = new Map<string, SubAssessment[]>();
  readonly scoreControlByKey = new Map<string, SecureScoreControl>();

  constructor(readonly tenant: NormalizedTenant) {
    for (const r of tenant.resources) {
      this.byId.set(idKey(r.id), r);
      const type = r.type.toLowerCase();
      if (type === "microsoft.resources/subscriptions")
        this.subscriptions.set((r.subscriptionId || parseResourceId(r.id).subscriptionId).toLowerCase(), {
          name: String((r.properties as Record<string, unknown> | null)?.displayName ?? r.name),
          tags: cleanTags(r.tags),
        });
      else if (type === "microsoft.resources/subscriptions/resourcegroups")
        this.resourceGroups.set(`${(r.subscriptionId ?? "").toLowerCase()}|${r.name.toLowerCase()}`, cleanTags(r.tags));
    }
    for (const e of tenant.activity) push(this.activityByResource, idKey(e.resourceId), e);
    for (const list of this.activityByResource.values()) list.sort((a, b) => a.time.localeCompare(b.time));
    for (const a of tenant.alerts) for (const id of a.resourceIds) push(this.alertsByResource, idKey(id), a);
    for (const v of tenant.subAssessments) push(this.vulnsByResource, idKey(v.resourceId), v);
    for (const c of tenant.secureScoreControls)
      for (const k of c.assessmentKeys) this.scoreControlByKey.set(`${c.subscriptionId.toLowerCase()}|${k.toLowerCase()}`, c);
  }

  resource(id: string): ArmResource | undefined {
    return this.byId.get(idKey(id));
  }

  rgTags(subscriptionId: string, resourceGroup: string): Record<string, string> {
    return this.resourceGroups.get(`${subscriptionId.toLowerCase()}|${resourceGroup.toLowerCase()}`) ?? {};
  }

  subscription(subscriptionId: string): { name: string; tags: Record<string, string> } | undefined {
    return this.subscriptions.get(subscriptionId.toLowerCase());
  }
}

function push<T>(m: Map<string, T[]>, k: string, v: T): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

export function cleanTags(tags: Record<string, string | null> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags ?? {})) if (typeof v === "string" && v.trim() !== "") out[k] = v;
  return out;
}

/** Finds a tag by any of several key spellings, case-insensitively. */
export function findTag(tags: Record<string, string>, keys: string[]): { key: string; value: string } | undefined {
  const wanted = keys.map((k) => k.toLowerCase().replace(/[-_\s]/g, ""));
  for (const [k, v] of Object.entries(tags)) if (wanted.includes(k.toLowerCase().replace(/[-_\s]/g, ""))) return { key: k, value: v };
  return undefined;
}

export const ENV_KEYS = ["environment", "env", "stage"];
export const OWNER_KEYS = ["owner", "ownerEmail", "technicalOwner", "contact", "createdBy"];
export const DATA_KEYS = ["dataClassification", "classification", "dataClass", "sensitivity"];
export const CRIT_KEYS = ["criticality", "businessCriticality", "tier"];
export const APP_KEYS = ["application", "app", "service", "workload"];

export type Environment = "production" | "staging" | "development" | "test" | "shared" | "unknown";

export function normalizeEnvironment(value: string): Environment {
  const v = value.trim().toLowerCase();
  if (/^(prod|production|prd|live|prod-\w+)$/.test(v)) return "production";
  if (/^(stag|staging|stage|stg|preprod|pre-prod|uat)$/.test(v)) return "staging";
  if (/^(dev|development|develop|sandbox|dev\/test|devtest)$/.test(v)) return "development";
  if (/^(test|testing|qa|tst)$/.test(v)) return "test";
  if (/^(shared|corp|corporate|common|hub|platform)$/.test(v)) return "shared";
  return "unknown";
}

/** A resolved attribute with the fact that supports it. */
export interface Resolved<T> {
  value: T;
  fact: Fact;
}

/** Looks a tag up on the resource, then its resource group, then its subscription. */
export function resolveTag(index: EstateIndex, r: ArmResource, keys: string[], factId: string, opts: { subscription?: boolean } = { subscription: true }): Resolved<string> & { level: "resource" | "resource-group" | "subscription" } | undefined {
  const own = findTag(cleanTags(r.tags), keys);
  if (own) return { value: own.value, level: "resource", fact: { id: factId, value: own.value, source: `resource tag ${own.key}` } };
  const sub = r.subscriptionId ?? parseResourceId(r.id).subscriptionId;
  const rgName = r.resourceGroup ?? parseResourceId(r.id).resourceGroup;
  const rg = findTag(index.rgTags(sub, rgName), keys);
  if (rg) return { value: rg.value, level: "resource-group", fact: { id: factId, value: rg.value, source: `resource group ${rgName} tag ${rg.key}` } };
  if (opts.subscription !== false) {
    const s = index.subscription(sub);
    const st = s && findTag(s.tags, keys);
    if (st) return { value: st.value, level: "subscription", fact: { id: factId, value: st.value, source: `subscription ${s.name} tag ${st.key}` } };
  }
  return undefined;
}
