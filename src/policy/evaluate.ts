import type { CompiledPolicy, CondNode } from "./compile";
import { defaultEnv, type EvalCtx, type EvalEnv, type PreparedResource, prepare } from "./context";
import { PolicyEvalError } from "./values";

export type Outcome = "compliant" | "noncompliant" | "notApplicable" | "errored";

export interface TraceStep {
  pointer: string;
  text: string;
  result: boolean | "error";
  /** a type/name/kind condition: context rather than the finding itself */
  applicability?: boolean;
}

export interface Evaluation {
  result: Outcome;
  reason: string;
  trace: TraceStep[];
}

export interface EvaluateOptions {
  env?: Partial<EvalEnv>;
  /** build the trace and reason (default true); whatIf turns it off for bulk runs and asks again when needed */
  explain?: boolean;
}

const CONTAINER_TYPES = new Set([
  "microsoft.resources/subscriptions",
  "microsoft.resources/subscriptions/resourcegroups",
  "microsoft.resources/resourcegroups",
  "microsoft.management/managementgroups",
]);

/** Mode `Indexed` only evaluates types that support tags and location. */
function indexedSkips(r: PreparedResource): boolean {
  if (CONTAINER_TYPES.has(r.t)) return true;
  const loc = r.raw.location;
  return loc === undefined || loc === null || loc === "";
}

/**
 * Evaluates one resource. Never throws for a resource-level problem: evaluation errors become `errored`
 * with the reason (and `not evaluable offline` when live Azure would be needed).
 */
export function evaluate(
  compiled: CompiledPolicy,
  resource: PreparedResource | Record<string, unknown>,
  opts: EvaluateOptions = {},
): Evaluation {
  const r = isPrepared(resource) ? resource : prepare(resource);
  const env = defaultEnv(opts.env);
  const explain = opts.explain !== false;
  const c: EvalCtx = { r, cur: [], env };
  const trace: TraceStep[] = [];
  const done = (result: Outcome, reason: string): Evaluation => ({ result, reason, trace });
  if (!compiled.evaluable) return done("errored", `not evaluable offline: ${compiled.refusal}`);
  if (compiled.effect === "disabled") return done("notApplicable", "effect is disabled");
  if (compiled.mode === "indexed" && indexedSkips(r))
    return done("notApplicable", `mode Indexed evaluates only types with tags and location (${r.type})`);
  let matched: boolean;
  try {
    matched = compiled.root.fn(c);
  } catch (e) {
    if (explain) explainNode(compiled.root, c, trace);
    return done("errored", errorReason(e, trace));
  }
  if (!matched) {
    const na = applicabilityFailure(compiled.root, c);
    if (explain) explainNode(na ?? compiled.root, c, trace);
    if (na) return done("notApplicable", `not applicable: ${summary(trace)}`);
    return done("compliant", `if not matched: ${summary(trace)}`);
  }
  if (explain) explainNode(compiled.root, c, trace);
  const why = explain ? summary(trace) : "";
  switch (compiled.effect) {
    case "auditifnotexists":
    case "deployifnotexists":
      return existence(compiled, c, trace, why);
    case "manual": {
      const ds = String((compiled.details as { defaultState?: string } | undefined)?.defaultState ?? "Unknown").toLowerCase();
      if (ds === "compliant") return done("compliant", "manual effect: default state Compliant until attested");
      if (ds === "noncompliant" || ds === "non-compliant")
        return done("noncompliant", "manual effect: default state NonCompliant until attested");
      return done("errored", "not evaluable offline: manual effect, compliance is attested (default state Unknown)");
    }
    default:
      return done("noncompliant", `${verb(compiled.effect)}: ${why}`);
  }
}

export function verb(effect: string): string {
  switch (effect) {
    case "deny":
      return "would be denied on create/update";
    case "audit":
      return "audited";
    case "modify":
      return "would be modified (remediation task)";
    case "append":
      return "would get fields appended on next update";
    case "denyaction":
      return "delete would be blocked";
    case "deployifnotexists":
      return "needs deployment";
    case "auditifnotexists":
      return "audited (related resource missing)";
    default:
      return effect;
  }
}

function isPrepared(x: unknown): x is PreparedResource {
  return !!x && typeof x === "object" && "raw" in x && "t" in x && "idLower" in x;
}

function errorReason(e: unknown, trace: TraceStep[]): string {
  const at = trace.find((s) => s.result === "error");
  if (e instanceof PolicyEvalError)
    return `${e.notEvaluable ? "not evaluable offline" : "evaluation error"}: ${e.message}${at ? ` (at ${at.pointer})` : ""}`;
  return `evaluation error: ${(e as Error)?.message ?? String(e)}`;
}

/** The first top-level conjunct about type/name/kind that is false, if any (Azure's "not applicable"). */
const applicabilityCache = new WeakMap<CondNode, CondNode[]>();

function applicabilityFailure(root: CondNode, c: EvalCtx): CondNode | undefined {
  let conj = applicabilityCache.get(root);
  if (!conj) {
    const list: CondNode[] = [];
    const flat = (n: CondNode) => {
      if (n.kind === "allOf") for (const x of n.children ?? []) flat(x);
      else if (isApplicability(n)) list.push(n);
    };
    flat(root);
    applicabilityCache.set(root, (conj = list));
  }
  for (const n of conj) if (!safe(n, c)) return n;
  return undefined;
}

function isApplicability(n: CondNode): boolean {
  if (n.kind === "field") return !!n.applicability;
  if ((n.kind === "anyOf" || n.kind === "allOf" || n.kind === "not") && n.children?.length) return n.children.every(isApplicability);
  return false;
}

function safe(n: CondNode, c: EvalCtx): boolean {
  try {
    return n.fn(c);
  } catch {
    return true;
  }
}

/** Records the leaves that decided the node's value. */
export function explainNode(n: CondNode, c: EvalCtx, out: TraceStep[], budget = 8): boolean | "error" {
  let v: boolean;
  try {
    v = n.fn(c);
  } catch (e) {
    if (n.kind === "allOf" || n.kind === "anyOf" || n.kind === "not") {
      for (const ch of n.children ?? []) if (explainNode(ch, c, out, budget) === "error") break;
    } else out.push({ pointer: n.ptr, text: `${describe(n, c)}: ${(e as Error).message}`, result: "error" });
    return "error";
  }
  if (out.length >= budget) return v;
  switch (n.kind) {
    case "not":
      explainNode(n.children![0], c, out, budget);
      break;
    case "allOf":
    case "anyOf": {
      const decisive = n.kind === "allOf" ? false : true;
      const hit = n.children!.find((ch) => safe(ch, c) === decisive);
      if (hit && v === decisive) explainNode(hit, c, out, budget);
      else for (const ch of n.children!) if (out.length < budget) explainNode(ch, c, out, budget);
      break;
    }
    default:
      out.push({ pointer: n.ptr, text: describe(n, c), result: v, ...(n.applicability ? { applicability: true } : {}) });
  }
  return v;
}

function describe(n: CondNode, c: EvalCtx): string {
  try {
    return n.describe ? n.describe(c) : n.kind;
  } catch (e) {
    return `${n.kind} (${(e as Error).message})`;
  }
}

function summary(trace: TraceStep[]): string {
  if (!trace.length) return "(no condition)";
  // The property conditions first: "type is X" is context, the property value is the reason.
  const ordered = [...trace.filter((s) => !s.applicability), ...trace.filter((s) => s.applicability)];
  const parts = ordered.slice(0, 3).map((s) => `${s.text} -> ${s.result}`);
  return parts.join("; ") + (trace.length > 3 ? `; +${trace.length - 3} more` : "");
}

function existence(compiled: CompiledPolicy, c: EvalCtx, trace: TraceStep[], why: string): Evaluation {
  const check = compiled.existence;
  const done = (result: Outcome, reason: string): Evaluation => ({ result, reason, trace });
  if (!check) return done("errored", "evaluation error: the *IfNotExists effect has no details.type");
  const inv = c.env.inventory;
  if (!inv) return done("errored", `not evaluable offline: no inventory to look for related ${check.type}`);
  const all = inv.byType(check.typeLower);
  if (!all.length)
    return done(
      "errored",
      `not evaluable offline: the inventory holds no ${check.type} resources at all, so their absence cannot be told from a partial export`,
    );
  const r = c.r;
  let name: string | undefined;
  let rg = r.resourceGroup;
  try {
    if (check.name) name = String(check.name.fn(c) ?? "");
    if (check.resourceGroupName) rg = String(check.resourceGroupName.fn(c) ?? "");
  } catch (e) {
    return done("errored", errorReason(e, trace));
  }
  const typeLower = check.typeLower;
  let candidates: PreparedResource[];
  if (typeLower.startsWith(`${r.t}/`) || anyExtension(all)) candidates = inv.under(typeLower, r.idLower);
  else if (check.scope === "subscription") candidates = inv.inScope(typeLower, r.subscriptionId.toLowerCase());
  else candidates = inv.inScope(typeLower, r.subscriptionId.toLowerCase(), rg.toLowerCase());
  if (name) {
    const nl = name.toLowerCase();
    candidates = candidates.filter((x) => x.name.toLowerCase() === nl || x.fullName.toLowerCase() === nl);
  }
  const label = `${check.type}${name ? ` '${name}'` : ""}`;
  const verdictNo = compiled.effect === "deployifnotexists" ? "needs deployment" : "audited";
  if (!candidates.length) return done("noncompliant", `${verdictNo}: no related ${label} in scope (if matched: ${why})`);
  if (!check.cond) return done("compliant", `related ${label} exists (${candidates[0].id})`);
  for (const rel of candidates) {
    const c2: EvalCtx = { r: rel, cur: [], env: c.env, outer: r };
    try {
      if (check.cond.fn(c2)) return done("compliant", `related ${rel.id} satisfies the existence condition`);
    } catch (e) {
      return done("errored", errorReason(e, trace));
    }
  }
  const c2: EvalCtx = { r: candidates[0], cur: [], env: c.env, outer: r };
  const t2: TraceStep[] = [];
  explainNode(check.cond, c2, t2);
  trace.push(...t2);
  return done(
    "noncompliant",
    `${verdictNo}: ${candidates.length} related ${label}, none satisfies the existence condition (${summary(t2)})`,
  );
}

const extensionTypes = new WeakMap<PreparedResource[], boolean>();

function anyExtension(all: PreparedResource[]): boolean {
  let v = extensionTypes.get(all);
  if (v === undefined) extensionTypes.set(all, (v = all.some(isExtension)));
  return v;
}

function isExtension(x: PreparedResource): boolean {
  const i = x.idLower.indexOf("/providers/");
  return i >= 0 && x.idLower.indexOf("/providers/", i + 1) > 0;
}

/** Bulk path: the outcome only, no trace (whatIf computes reasons afterwards for the rows it prints). */
const scratch: EvalCtx = { r: undefined as unknown as PreparedResource, cur: [], env: undefined as unknown as EvalEnv };

export function outcomeOnly(compiled: CompiledPolicy, r: PreparedResource, env: EvalEnv, cur: unknown[]): Outcome {
  const gate = compiled.typeGate;
  if (gate !== undefined && !gate.has(r.t)) {
    const lc = compiled.leafCounter;
    if (lc) {
      lc.leaves++;
      lc.gated = (lc.gated ?? 0) + 1;
    }
    return "notApplicable";
  }
  if (compiled.effect === "disabled") return "notApplicable";
  if (compiled.mode === "indexed" && indexedSkips(r)) return "notApplicable";
  const c = scratch;
  c.r = r;
  c.cur = cur;
  c.env = env;
  c.outer = undefined;
  let matched: boolean;
  try {
    matched = compiled.root.fn(c);
  } catch {
    return "errored";
  }
  if (!matched) return applicabilityFailure(compiled.root, c) ? "notApplicable" : "compliant";
  if (compiled.effect === "auditifnotexists" || compiled.effect === "deployifnotexists") return existence(compiled, c, [], "").result;
  if (compiled.effect === "manual") return evaluate(compiled, r, { env, explain: false }).result;
  return "noncompliant";
}
