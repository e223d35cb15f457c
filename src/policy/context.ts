import type { ArmResource } from "../domain/resource";
import { canonicalType } from "./aliases";

/** A resource prepared once for many policies: normalized keys beside the ARG row. */
export interface PreparedResource {
  raw: Record<string, unknown>;
  /** lower-cased type (the alias lookup key). */
  t: string;
  /** canonical type spelling (catalog casing when known). */
  type: string;
  id: string;
  idLower: string;
  name: string;
  fullName: string;
  /** normalized location: lower case, no spaces, `global` when absent. */
  location: string;
  subscriptionId: string;
  resourceGroup: string;
}

/** What the evaluation may know about the world beyond the resource (inventory, clock, request). */
export interface EvalEnv {
  /** ISO time used by utcNow() (fixed per run so results are deterministic). */
  now: string;
  /** requestContext().apiVersion: Azure uses the latest API version when it evaluates existing resources. */
  apiVersion: string;
  /** policy() */
  policyInfo: { assignmentId: string; definitionId: string; setDefinitionId: string; definitionReferenceId: string };
  /** Inventory lookups for AINE/DINE and resourceGroup()/subscription(). */
  inventory?: Inventory;
}

export interface Inventory {
  byType(typeLower: string): PreparedResource[];
  /** resources of a type directly under a parent (child resources, or extension resources on it) */
  under(typeLower: string, parentIdLower: string): PreparedResource[];
  /** resources of a type in a subscription, optionally one resource group */
  inScope(typeLower: string, subscriptionLower: string, groupLower?: string): PreparedResource[];
  container(idLower: string): PreparedResource | undefined;
}

/** Mutable evaluation context; compiled closures read it. */
export interface EvalCtx {
  r: PreparedResource;
  /** current member per count scope depth. */
  cur: unknown[];
  env: EvalEnv;
  /** inside existenceCondition: the resource the `if` evaluated (template field() reads it). */
  outer?: PreparedResource;
}

export function prepare(resource: ArmResource | Record<string, unknown>): PreparedResource {
  const raw = resource as Record<string, unknown>;
  const id = String(raw.id ?? "");
  const parsed = idNames(id);
  const rawType = String(raw.type ?? parsed.type ?? "");
  const loc = typeof raw.location === "string" ? raw.location.toLowerCase().replace(/\s+/g, "") : "";
  const name = typeof raw.name === "string" && raw.name ? raw.name : parsed.fullName;
  const fullName = parsed.fullName || name;
  return {
    raw,
    t: rawType.toLowerCase(),
    type: canonicalType(rawType),
    id,
    idLower: id.toLowerCase(),
    name: name.includes("/") ? name.slice(name.lastIndexOf("/") + 1) : name,
    fullName,
    location: loc || "global",
    subscriptionId: String(raw.subscriptionId ?? parsed.subscriptionId ?? ""),
    resourceGroup: String(raw.resourceGroup ?? parsed.resourceGroup ?? ""),
  };
}

/** fullName (parent names + name, e.g. `server/db`), type, subscription and group from an ARM id. */
export function idNames(id: string): { fullName: string; type: string; subscriptionId: string; resourceGroup: string } {
  const parts = id.split("/").filter(Boolean);
  let subscriptionId = "";
  let resourceGroup = "";
  let lastProvider = -1;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i].toLowerCase();
    if (p === "subscriptions" && i + 1 < parts.length && !subscriptionId) subscriptionId = parts[i + 1];
    else if (p === "resourcegroups" && i + 1 < parts.length && !resourceGroup) resourceGroup = parts[i + 1];
    else if (p === "providers") lastProvider = i;
  }
  if (lastProvider < 0) {
    if (resourceGroup && parts.length === 4)
      return { fullName: resourceGroup, type: "Microsoft.Resources/resourceGroups", subscriptionId, resourceGroup };
    if (subscriptionId && parts.length === 2)
      return { fullName: subscriptionId, type: "Microsoft.Resources/subscriptions", subscriptionId, resourceGroup };
    return { fullName: parts[parts.length - 1] ?? "", type: "", subscriptionId, resourceGroup };
  }
  const ns = parts[lastProvider + 1] ?? "";
  const types: string[] = [];
  const names: string[] = [];
  for (let j = lastProvider + 2; j < parts.length; j += 2) {
    types.push(parts[j]);
    if (j + 1 < parts.length) names.push(parts[j + 1]);
  }
  return { fullName: names.join("/"), type: [ns, ...types].join("/"), subscriptionId, resourceGroup };
}

export function defaultEnv(partial: Partial<EvalEnv> = {}): EvalEnv {
  return {
    now: partial.now ?? new Date().toISOString(),
    apiVersion: partial.apiVersion ?? "9999-12-31",
    policyInfo: partial.policyInfo ?? { assignmentId: "", definitionId: "", setDefinitionId: "", definitionReferenceId: "" },
    inventory: partial.inventory,
  };
}

/** Parent of a child (`.../servers/s1/databases/d1` -> server) or extension (`<id>/providers/ns/type/name` -> id). */
export function parentId(idLower: string): string {
  let parts = idLower.split("/");
  parts = parts.slice(0, -2);
  if (parts.length >= 2 && parts[parts.length - 2] === "providers") parts = parts.slice(0, -2);
  return parts.join("/");
}

/** Builds the inventory index used by *IfNotExists effects and resourceGroup()/subscription(). */
export function buildInventory(resources: PreparedResource[]): Inventory {
  const byType = new Map<string, PreparedResource[]>();
  const containers = new Map<string, PreparedResource>();
  for (const r of resources) {
    let list = byType.get(r.t);
    if (!list) byType.set(r.t, (list = []));
    list.push(r);
    if (
      r.t === "microsoft.resources/subscriptions" ||
      r.t === "microsoft.resources/subscriptions/resourcegroups" ||
      r.t === "microsoft.resources/resourcegroups"
    )
      containers.set(r.idLower, r);
  }
  const underIdx = new Map<string, Map<string, PreparedResource[]>>();
  const scopeIdx = new Map<string, Map<string, PreparedResource[]>>();
  const group = (t: string, cache: Map<string, Map<string, PreparedResource[]>>, key: (r: PreparedResource) => string[]) => {
    let m = cache.get(t);
    if (!m) {
      m = new Map();
      for (const r of byType.get(t) ?? [])
        for (const k of key(r)) {
          let l = m.get(k);
          if (!l) m.set(k, (l = []));
          l.push(r);
        }
      cache.set(t, m);
    }
    return m;
  };
  const EMPTY: PreparedResource[] = [];
  return {
    byType: (t) => byType.get(t) ?? EMPTY,
    under: (t, parent) => group(t, underIdx, (r) => [parentId(r.idLower)]).get(parent) ?? EMPTY,
    inScope: (t, sub, rg) =>
      group(t, scopeIdx, (r) => {
        const s = r.subscriptionId.toLowerCase();
        return [s, `${s}/${r.resourceGroup.toLowerCase()}`];
      }).get(rg === undefined ? sub : `${sub}/${rg}`) ?? EMPTY,
    container: (id) => containers.get(id),
  };
}
