import { InputError, NotEvaluableError } from "../domain/errors";
import type { ArmResource } from "../domain/resource";
import { type CompiledPolicy, compileOrThrow } from "./compile";
import { buildInventory, defaultEnv, type EvalEnv, type PreparedResource, prepare } from "./context";
import { evaluate, type Outcome, outcomeOnly, verb } from "./evaluate";
import { type PolicyDefinition, parsePolicy } from "./parse";
import { getKey } from "./values";

export interface WhatIfOptions {
  /** assignment parameter values (`{name: value}` or `{name: {value}}`) */
  params?: Record<string, unknown>;
  /** fixed clock for utcNow() (default: now) */
  now?: string;
  /** requestContext().apiVersion (default: the latest, as Azure uses for existing resources) */
  apiVersion?: string;
  /** which rows get a reason: all (default), noncompliant, none */
  reasons?: "all" | "noncompliant" | "none";
  /** extra resources for *IfNotExists and resourceGroup()/subscription() lookups (e.g. resourcecontainers) */
  related?: (ArmResource | Record<string, unknown>)[];
  /** environment of a resource; default reads the environment/env tag */
  environmentOf?: (r: PreparedResource) => string;
}

export interface Counts {
  compliant: number;
  noncompliant: number;
  notApplicable: number;
  errored: number;
}

export interface WhatIfResult {
  policy: { id?: string; name?: string; displayName?: string };
  mode: string;
  effect: string;
  /** resources evaluated (all inputs) */
  evaluated: number;
  counts: Counts;
  resources: { id: string; result: Outcome; reason: string }[];
  /** what the effect would do to the noncompliant resources, e.g. {action: "would be denied on create/update", count: 12} */
  impact: { effect: string; action: string; count: number };
  /** compliance once assigned: compliant / (compliant + noncompliant) */
  complianceDelta: { newlyNoncompliant: number; applicable: number; compliancePercent: number | null };
  bySubscription: ({ subscriptionId: string } & Counts)[];
  byEnvironment: ({ environment: string } & Counts)[];
  warnings: string[];
}

const zero = (): Counts => ({ compliant: 0, noncompliant: 0, notApplicable: 0, errored: 0 });

/** Normalized environment from the usual tags (environment, env, stage). */
export function environmentFromTags(r: PreparedResource): string {
  const tags = r.raw.tags;
  const v = getKey(tags, "environment") ?? getKey(tags, "env") ?? getKey(tags, "stage");
  if (typeof v !== "string" || !v.trim()) return "unknown";
  const s = v.trim().toLowerCase();
  if (/^(prod|prd|production|live)$/.test(s)) return "production";
  if (/^(stag|stage|staging|uat|preprod|pre-prod)$/.test(s)) return "staging";
  if (/^(dev|develop|development)$/.test(s)) return "development";
  if (/^(test|tst|qa)$/.test(s)) return "test";
  if (/^(shared|common|hub)$/.test(s)) return "shared";
  return "unknown";
}

/**
 * What-if: what the policy would do to existing resources if assigned today. Throws InputError when the
 * policy is invalid and NotEvaluableError (with the reason) when it cannot be evaluated offline.
 */
export function whatIf(
  policyJson: unknown,
  resources: (ArmResource | Record<string, unknown> | PreparedResource)[],
  opts: WhatIfOptions = {},
): WhatIfResult {
  const compiled = compileForWhatIf(policyJson, opts.params);
  return whatIfCompiled(compiled, resources.map(toPrepared), opts);
}

export function compileForWhatIf(policyJson: unknown, params?: Record<string, unknown>): CompiledPolicy {
  if (isCompiled(policyJson)) return policyJson;
  const { definition, errors } = parsePolicy(policyJson);
  if (!definition || errors.length)
    throw new InputError(`policy is invalid: ${errors.map((e) => `${e.pointer}: ${e.message}`).join("; ")}`, {
      field: errors[0]?.pointer,
    });
  const compiled = compileOrThrow(definition as PolicyDefinition, params);
  if (!compiled.evaluable)
    throw new NotEvaluableError(`cannot what-if this policy offline: ${compiled.refusal}`, {
      hint: "resource-provider modes evaluate data-plane objects (Kubernetes, Key Vault objects...) that ARG does not export",
    });
  return compiled;
}

function isCompiled(x: unknown): x is CompiledPolicy {
  return !!x && typeof x === "object" && "root" in x && "effect" in x && "definition" in x;
}

function toPrepared(x: ArmResource | Record<string, unknown> | PreparedResource): PreparedResource {
  return x && typeof x === "object" && "raw" in x && "idLower" in x ? (x as PreparedResource) : prepare(x as Record<string, unknown>);
}

export function whatIfCompiled(
  compiled: CompiledPolicy,
  prepared: PreparedResource[],
  opts: WhatIfOptions = {},
  env?: EvalEnv,
): WhatIfResult {
  const related = (opts.related ?? []).map(toPrepared);
  const e =
    env ??
    defaultEnv({
      now: opts.now,
      apiVersion: opts.apiVersion,
      inventory: buildInventory(related.length ? [...prepared, ...related] : prepared),
    });
  const reasons = opts.reasons ?? "all";
  const envOf = opts.environmentOf ?? environmentFromTags;
  const counts = zero();
  const bySub = new Map<string, Counts>();
  const byEnv = new Map<string, Counts>();
  const rows: WhatIfResult["resources"] = [];
  const cur: unknown[] = [];
  for (const r of prepared) {
    let result: Outcome;
    let reason = "";
    if (reasons === "all") {
      const ev = evaluate(compiled, r, { env: e });
      result = ev.result;
      reason = ev.reason;
    } else {
      result = outcomeOnly(compiled, r, e, cur);
      if (reasons === "noncompliant" && (result === "noncompliant" || result === "errored"))
        reason = evaluate(compiled, r, { env: e }).reason;
    }
    counts[result]++;
    const sk = r.subscriptionId || "(none)";
    let s = bySub.get(sk);
    if (!s) bySub.set(sk, (s = zero()));
    s[result]++;
    const ek = envOf(r);
    let en = byEnv.get(ek);
    if (!en) byEnv.set(ek, (en = zero()));
    en[result]++;
    rows.push({ id: r.id, result, reason });
  }
  const applicable = counts.compliant + counts.noncompliant;
  const def = compiled.definition;
  return {
    policy: { id: def.id, name: def.name, displayName: def.displayName },
    mode: def.mode,
    effect: compiled.effect,
    evaluated: prepared.length,
    counts,
    resources: rows,
    impact: { effect: compiled.effect, action: verb(compiled.effect), count: counts.noncompliant },
    complianceDelta: {
      newlyNoncompliant: counts.noncompliant,
      applicable,
      compliancePercent: applicable ? Math.round((1000 * counts.compliant) / applicable) / 10 : null,
    },
    bySubscription: [...bySub].map(([subscriptionId, c]) => ({ subscriptionId, ...c })),
    byEnvironment: [...byEnv].map(([environment, c]) => ({ environment, ...c })),
    warnings: compiled.warnings,
  };
}
