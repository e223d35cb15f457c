import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { InputError } from "../domain/errors";
import { FIX_KINDS, type FixKind, ROLES, ROLLOUT_PHASES, type Role, type RolloutPhase } from "./model";

/**
 * Governance configuration (a JSON file, default `./clarion.governance.json`, or `CLARION_GOVERNANCE_CONFIG`):
 * who holds which role on which scopes, which management groups hold which subscriptions, the rollout phase
 * per scope, the fix kinds the `automatic` phase may run, and the blast-radius limit.
 *
 * @example
 * { "roles": [ { "principal": "alice", "role": "approver", "scopes": ["/providers/Microsoft.Management/managementGroups/mg-prod"] } ],
 *   "managementGroups": { "mg-prod": { "subscriptions": ["0b1f..."] } },
 *   "rollout": [ { "scope": "/subscriptions/0b1f...", "phase": "supervised" } ],
 *   "automaticFixKinds": ["policy-audit"], "blastRadiusLimit": 25 }
 */
export const GovernanceConfigSchema = z.object({
  roles: z
    .array(
      z.object({
        principal: z.string().min(1),
        role: z.enum(ROLES),
        /** `/` (tenant root), `/subscriptions/{id}` or `/providers/Microsoft.Management/managementGroups/{id}`. */
        scopes: z.array(z.string().min(1)).min(1),
      }),
    )
    .default([]),
  managementGroups: z
    .record(z.string(), z.object({ parent: z.string().optional(), subscriptions: z.array(z.string()).default([]) }))
    .default({}),
  rollout: z.array(z.object({ scope: z.string().min(1), phase: z.enum(ROLLOUT_PHASES) })).default([]),
  /** Phase where no rule matches. */
  defaultPhase: z.enum(ROLLOUT_PHASES).default("supervised"),
  automaticFixKinds: z.array(z.enum(FIX_KINDS)).default(["policy-audit"]),
  /** Resources a deploy may affect with one approval; above it a second approver is required. */
  blastRadiusLimit: z.number().int().min(0).default(25),
  /** Delivery sinks notified on transitions (names configured in the delivery config). */
  notify: z.array(z.string()).default([]),
});
export type GovernanceConfig = z.infer<typeof GovernanceConfigSchema>;

export const DEFAULT_GOVERNANCE_FILE = "./clarion.governance.json";

export function parseGovernanceConfig(json: unknown, file = "governance config"): GovernanceConfig {
  const r = GovernanceConfigSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new InputError(issue.message, { file, field: issue.path.join(".") });
  }
  return r.data;
}

/** Loads the file when it exists; without one, nobody holds a role (every transition is refused). */
export function loadGovernanceConfig(file?: string): GovernanceConfig {
  const path = file ?? process.env.CLARION_GOVERNANCE_CONFIG ?? DEFAULT_GOVERNANCE_FILE;
  if (!existsSync(path)) {
    if (file) throw new InputError(`governance config not found`, { file });
    return parseGovernanceConfig({});
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new InputError(`not valid JSON: ${(e as Error).message}`, { file: path });
  }
  return parseGovernanceConfig(json, path);
}

const norm = (s: string) => s.replace(/\/+$/, "").toLowerCase() || "/";

export function subscriptionScope(subscriptionId: string): string {
  return `/subscriptions/${subscriptionId}`;
}

export function managementGroupScope(mg: string): string {
  return `/providers/Microsoft.Management/managementGroups/${mg}`;
}

/**
 * The chain of scopes a target scope sits in, most specific first: the scope itself, its subscription,
 * every management group above it, and the tenant root `/`.
 */
export function scopeChain(config: GovernanceConfig, scope: string): string[] {
  const s = norm(scope);
  const out: string[] = [s];
  const sub = /^\/subscriptions\/([^/]+)/.exec(s)?.[1];
  let mg: string | undefined;
  if (sub) {
    if (norm(subscriptionScope(sub)) !== s) out.push(norm(subscriptionScope(sub)));
    mg = Object.entries(config.managementGroups).find(([, g]) => g.subscriptions.some((x) => x.toLowerCase() === sub))?.[0];
  } else {
    const m = /^\/providers\/microsoft\.management\/managementgroups\/([^/]+)$/.exec(s)?.[1];
    const name = m ? Object.keys(config.managementGroups).find((k) => k.toLowerCase() === m) : undefined;
    mg = name ? config.managementGroups[name].parent : undefined;
  }
  const seen = new Set<string>();
  while (mg && !seen.has(mg)) {
    seen.add(mg);
    out.push(norm(managementGroupScope(mg)));
    mg = config.managementGroups[mg]?.parent;
  }
  if (!out.includes("/")) out.push("/");
  return out;
}

/** The roles `principal` holds on `scope` (directly, or inherited from a management group or the root). */
export function rolesOn(config: GovernanceConfig, principal: string, scope: string): Role[] {
  const chain = new Set(scopeChain(config, scope));
  const p = principal.toLowerCase();
  const roles = new Set<Role>();
  for (const r of config.roles) if (r.principal.toLowerCase() === p && r.scopes.some((s) => chain.has(norm(s)))) roles.add(r.role);
  return [...roles];
}

/** The rollout phase of `scope`: the most specific rule wins. */
export function phaseFor(config: GovernanceConfig, scope: string): RolloutPhase {
  for (const s of scopeChain(config, scope)) {
    const rule = config.rollout.find((r) => norm(r.scope) === s);
    if (rule) return rule.phase;
  }
  return config.defaultPhase;
}

export function isAutomaticKind(config: GovernanceConfig, kind: FixKind): boolean {
  return config.automaticFixKinds.includes(kind);
}
