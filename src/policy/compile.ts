/**
 * Compiles a policy definition into closures: each condition becomes `(ctx) => boolean`, each field a
 * getter with its alias path resolved per resource type, each template expression folded when it does not
 * depend on the resource. Compile once, evaluate many resources.
 *
 * The same pass validates: every problem is recorded with a JSON pointer; `compilePolicy` throws when
 * there are any, `validatePolicy` returns them.
 */
import { InputError } from "../domain/errors";
import { type AliasInfo, type FieldRef, resolveField } from "./aliases";
import type { EvalCtx, PreparedResource } from "./context";
import { type Compiled, compileExpression, type ExprHost, type Fn, isExpression, unescapeLiteral } from "./expr";
import { compileLike, compileMatch } from "./glob";
import type { ParameterDef, PolicyDefinition } from "./parse";
import { compareValues, getKey, keyOf, looseEquals, PolicyEvalError, STAR, select, show, typeName, walk } from "./values";

export type Cond = (c: EvalCtx) => boolean;

export interface CondNode {
  kind: "allOf" | "anyOf" | "not" | "field" | "value" | "count" | "invalid";
  ptr: string;
  fn: Cond;
  children?: CondNode[];
  /** for leaves: what the left side read, for traces */
  describe?: (c: EvalCtx) => string;
  /** field condition on type/name/fullName/kind: decides applicability */
  applicability?: boolean;
  /** number of leaf conditions in the subtree */
  leaves: number;
}

export interface PolicyIssue {
  pointer: string;
  message: string;
}

export const RM_MODES = ["all", "indexed"];
export const PROVIDER_MODES = [
  "microsoft.kubernetes.data",
  "microsoft.keyvault.data",
  "microsoft.network.data",
  "microsoft.managedhsm.data",
  "microsoft.datafactory.data",
  "microsoft.machinelearningservices.data",
  "microsoft.machinelearningservices.v2.data",
  "microsoft.containerservice.data",
  "microsoft.cognitiveservices.data",
  "microsoft.loadtestservice.data",
];

export const EFFECTS = ["audit", "deny", "modify", "append", "auditifnotexists", "deployifnotexists", "disabled", "denyaction", "manual"];
/** Effects of resource-provider modes and older built-ins: valid, never evaluated offline. */
export const PROVIDER_EFFECTS = ["mutate", "addtonetworkgroup", "enforceregopolicy", "enforcesetting", "auditaction", "denyaction"];

export interface ExistenceCheck {
  type: string;
  typeLower: string;
  name?: Compiled;
  resourceGroupName?: Compiled;
  scope: "resourcegroup" | "subscription";
  cond?: CondNode;
}

export interface CompiledPolicy {
  definition: PolicyDefinition;
  /** lower-cased mode (`all`, `indexed`, or a provider mode) */
  mode: string;
  evaluable: boolean;
  /** why the policy cannot be evaluated offline (provider mode, unknown effect...) */
  refusal?: string;
  /** resolved effect, lower-cased */
  effect: string;
  root: CondNode;
  existence?: ExistenceCheck;
  details?: unknown;
  params: Record<string, unknown>;
  warnings: string[];
  leafCount: number;
  /**
   * lower-cased types a top-level `type equals/in` conjunct admits: any other type is not applicable
   * without evaluating the rule (what-if's fast path; evaluate() reaches the same verdict with a trace).
   */
  typeGate?: Set<string>;
  /** set by benchmarks: counts leaf evaluations (a type-gate rejection counts as the one type leaf it decides) */
  leafCounter?: { leaves: number; gated?: number };
}

type FieldScope = { kind: "field"; depth: number; alias: AliasInfo; label: string };
type ValueScope = { kind: "value"; depth: number; name: string };
type Scope = FieldScope | ValueScope;

const OPERATORS = [
  "equals",
  "notequals",
  "like",
  "notlike",
  "match",
  "matchinsensitively",
  "notmatch",
  "notmatchinsensitively",
  "contains",
  "notcontains",
  "in",
  "notin",
  "containskey",
  "notcontainskey",
  "less",
  "lessorequals",
  "greater",
  "greaterorequals",
  "exists",
];

interface Plan {
  depth: number;
  rem: string[];
  star: boolean;
}

class Compiler {
  errors: PolicyIssue[] = [];
  warnings: string[] = [];
  scopes: Scope[] = [];
  inExistence = false;
  countDepth = 0;
  valueCounts = 0;

  /** when set, every leaf evaluation increments it (benchmarks count leaf conditions per second) */
  leafCounter?: { leaves: number };

  constructor(
    readonly params: Record<string, unknown>,
    readonly paramDefs: Record<string, ParameterDef>,
  ) {}

  leaf(n: CondNode): CondNode {
    const lc = this.leafCounter;
    if (!lc) return n;
    const inner = n.fn;
    return {
      ...n,
      fn: (c) => {
        lc.leaves++;
        return inner(c);
      },
    };
  }

  error(ptr: string, message: string): void {
    this.errors.push({ pointer: ptr, message });
  }

  host(ptr: string): ExprHost {
    return {
      param: (name) => {
        const key = Object.keys(this.params).find((k) => k.toLowerCase() === name.toLowerCase());
        if (key === undefined) return { error: `parameter '${name}' is not defined` };
        return { value: this.params[key] };
      },
      field: (name) => {
        const r = resolveField(name);
        if ("error" in r) return { error: r.error };
        if (r.warning) this.warnings.push(`${ptr}: ${r.warning}`);
        return this.templateField(r.ref);
      },
      current: (name) => this.current(name),
      error: (m) => this.error(ptr, m),
      warn: (m) => this.warnings.push(`${ptr}: ${m}`),
    };
  }

  /** A literal or template expression value. */
  value(v: unknown, ptr: string): Compiled {
    if (isExpression(v)) return compileExpression(v, this.host(ptr));
    const lit = typeof v === "string" ? unescapeLiteral(v) : v;
    return { fn: () => lit, constant: true, value: lit };
  }

  /** Something that must be known at compile time (field names, count.field). */
  constString(v: unknown, ptr: string, what: string): string | undefined {
    const c = this.value(v, ptr);
    if (!c.constant || typeof c.value !== "string") {
      this.error(ptr, `${what} must be a string known before evaluation (literal or parameters())`);
      return undefined;
    }
    return c.value;
  }

  plans(alias: AliasInfo): Map<string, Plan> {
    const out = new Map<string, Plan>();
    for (const [t, segs] of alias.paths) {
      let plan: Plan = { depth: -1, rem: segs, star: segs.includes(STAR) };
      for (let i = this.scopes.length - 1; i >= 0; i--) {
        const s = this.scopes[i];
        if (s.kind !== "field") continue;
        const sp = s.alias.paths.get(t);
        if (!sp || sp.length > segs.length) continue;
        let ok = true;
        for (let j = 0; j < sp.length; j++)
          if (sp[j] !== segs[j] && sp[j].toLowerCase() !== segs[j].toLowerCase()) {
            ok = false;
            break;
          }
        if (ok) {
          const rem = segs.slice(sp.length);
          plan = { depth: s.depth, rem, star: rem.includes(STAR) };
          break;
        }
      }
      out.set(t, plan);
    }
    return out;
  }

  /** Getter for a field: single value, or collection when the (remaining) path has `[*]`. */
  getter(ref: FieldRef, outer = false): { single?: Fn; coll?: (c: EvalCtx) => unknown[] | undefined; label: string } {
    const res = (c: EvalCtx): PreparedResource => (outer ? (c.outer ?? c.r) : c.r);
    switch (ref.kind) {
      case "type":
        return { single: (c) => res(c).type, label: "type" };
      case "name":
        return { single: (c) => res(c).name, label: "name" };
      case "fullName":
        return { single: (c) => res(c).fullName, label: "fullName" };
      case "kind":
        return { single: (c) => (res(c).raw.kind as string | null | undefined) ?? undefined, label: "kind" };
      case "location":
        return { single: (c) => res(c).location, label: "location" };
      case "id":
        return { single: (c) => res(c).id, label: "id" };
      case "tags":
        return { single: (c) => (res(c).raw.tags as unknown) ?? undefined, label: "tags" };
      case "tag": {
        const key = ref.key;
        return { single: (c) => getKey(res(c).raw.tags, key), label: `tags['${key}']` };
      }
      case "identity": {
        const segs = ref.segs;
        return { single: (c) => walk(res(c).raw.identity, segs), label: `identity.${segs.join(".")}` };
      }
      case "alias": {
        const plans = outer
          ? new Map([...ref.alias.paths].map(([t, s]) => [t, { depth: -1, rem: s, star: s.includes(STAR) }]))
          : this.plans(ref.alias);
        const label = ref.alias.name;
        const anyStar = [...plans.values()].some((p) => p.star);
        const allStar = [...plans.values()].every((p) => p.star);
        if (anyStar && !allStar) {
          // Mixed per type: decide at run time.
          return {
            coll: (c) => {
              const r = res(c);
              const p = plans.get(r.t);
              if (!p) return [];
              const root = p.depth < 0 ? r.raw : c.cur[p.depth];
              if (!p.star) return undefined;
              const out: unknown[] = [];
              select(root, p.rem, 0, out);
              return out;
            },
            single: (c) => {
              const r = res(c);
              const p = plans.get(r.t);
              if (!p) return undefined;
              return walk(p.depth < 0 ? r.raw : c.cur[p.depth], p.rem);
            },
            label,
          };
        }
        if (plans.size === 1) {
          const [[t, p]] = [...plans];
          if (p.star)
            return {
              coll: (c) => {
                const r = res(c);
                if (r.t !== t) return [];
                const out: unknown[] = [];
                select(p.depth < 0 ? r.raw : c.cur[p.depth], p.rem, 0, out);
                return out;
              },
              label,
            };
          return {
            single: (c) => {
              const r = res(c);
              return r.t === t ? walk(p.depth < 0 ? r.raw : c.cur[p.depth], p.rem) : undefined;
            },
            label,
          };
        }
        if (allStar)
          return {
            coll: (c) => {
              const r = res(c);
              const p = plans.get(r.t);
              if (!p) return [];
              const out: unknown[] = [];
              select(p.depth < 0 ? r.raw : c.cur[p.depth], p.rem, 0, out);
              return out;
            },
            label,
          };
        return {
          single: (c) => {
            const r = res(c);
            const p = plans.get(r.t);
            return p ? walk(p.depth < 0 ? r.raw : c.cur[p.depth], p.rem) : undefined;
          },
          label,
        };
      }
    }
  }

  /** template field(): single values ('' when missing), `[*]` as an array. */
  templateField(ref: FieldRef): Fn {
    const g = this.getter(ref, this.inExistence);
    const single = g.single;
    const coll = g.coll;
    if (ref.kind === "alias" && ref.alias.isArray && single && !coll)
      // A `[*]` alias narrowed to the current count member still returns a collection: one element.
      return (c) => {
        const v = single(c);
        return v === undefined ? [] : [v];
      };
    if (coll)
      return (c) => {
        const v = coll(c);
        if (v === undefined) {
          const s = single!(c);
          return s === undefined ? "" : s;
        }
        return v.map((x) => (x === undefined ? null : x));
      };
    return (c) => {
      const v = single!(c);
      return v === undefined ? "" : v;
    };
  }

  current(name: string | undefined): Fn | { error: string } {
    if (!this.scopes.length) return { error: "current() is only valid inside count.where" };
    if (name === undefined) {
      const s = this.scopes[this.scopes.length - 1];
      const d = s.depth;
      return (c) => c.cur[d];
    }
    const lower = name.toLowerCase();
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const s = this.scopes[i];
      if (s.kind === "value" && s.name === lower) {
        const d = s.depth;
        return (c) => c.cur[d];
      }
    }
    const r = resolveField(name);
    if (!("error" in r) && r.ref.kind === "alias") {
      const plans = this.plans(r.ref.alias);
      if ([...plans.values()].some((p) => p.depth >= 0)) {
        return (c) => {
          const p = plans.get(c.r.t);
          if (!p || p.depth < 0) return undefined;
          if (p.star) {
            const out: unknown[] = [];
            select(c.cur[p.depth], p.rem, 0, out);
            return out;
          }
          return walk(c.cur[p.depth], p.rem);
        };
      }
    }
    return { error: `current('${name}') does not name an enclosing count (value count name or counted alias)` };
  }

  condition(node: unknown, ptr: string, depth = 0): CondNode {
    const bad = (m: string): CondNode => {
      this.error(ptr, m);
      return { kind: "invalid", ptr, fn: () => false, leaves: 0 };
    };
    if (depth > 64) return bad("conditions are nested deeper than 64 levels");
    if (!node || typeof node !== "object" || Array.isArray(node)) return bad("a condition must be an object");
    const o = node as Record<string, unknown>;
    const keys = Object.keys(o);
    const lk = (k: string) => keys.find((x) => x.toLowerCase() === k);
    const allOf = lk("allof");
    const anyOf = lk("anyof");
    const not = lk("not");
    const logical = [allOf, anyOf, not].filter(Boolean) as string[];
    if (logical.length) {
      if (keys.length !== 1) return bad(`a logical operator must be alone in its object (found ${keys.join(", ")})`);
      const k = logical[0];
      if (k === not) {
        const child = this.condition(o[k], `${ptr}/${k}`, depth + 1);
        const f = child.fn;
        return { kind: "not", ptr, fn: (c) => !f(c), children: [child], leaves: child.leaves };
      }
      const arr = o[k];
      if (!Array.isArray(arr)) return bad(`${k} must be an array of conditions`);
      const children = arr.map((x, i) => this.condition(x, `${ptr}/${k}/${i}`, depth + 1));
      const fns = children.map((x) => x.fn);
      const leaves = children.reduce((n, x) => n + x.leaves, 0);
      const isAll = k === allOf;
      let fn: Cond;
      const n = fns.length;
      if (n === 0) fn = () => isAll;
      else if (n === 1) fn = fns[0];
      else if (n === 2) {
        const [a, b] = fns;
        fn = isAll ? (c) => a(c) && b(c) : (c) => a(c) || b(c);
      } else if (n === 3) {
        const [a, b, d] = fns;
        fn = isAll ? (c) => a(c) && b(c) && d(c) : (c) => a(c) || b(c) || d(c);
      } else
        fn = isAll
          ? (c) => {
              for (let i = 0; i < n; i++) if (!fns[i](c)) return false;
              return true;
            }
          : (c) => {
              for (let i = 0; i < n; i++) if (fns[i](c)) return true;
              return false;
            };
      return { kind: isAll ? "allOf" : "anyOf", ptr, fn, children, leaves };
    }
    const field = lk("field");
    const value = lk("value");
    const count = lk("count");
    const lefts = [field, value, count].filter(Boolean) as string[];
    if (lefts.length !== 1)
      return bad(
        lefts.length
          ? `a condition has exactly one of field, value, count (found ${lefts.join(", ")})`
          : `unknown condition: expected allOf, anyOf, not, field, value or count (found ${keys.join(", ") || "nothing"})`,
      );
    const opKeys = keys.filter((k) => k !== lefts[0] && !(count && k.toLowerCase() === "where"));
    if (opKeys.length !== 1) return bad(`a condition has exactly one operator (found ${opKeys.join(", ") || "none"})`);
    const opKey = opKeys[0];
    const op = opKey.toLowerCase();
    if (!OPERATORS.includes(op)) return bad(`unknown operator '${opKey}'${suggestOp(op)}`);
    const opPtr = `${ptr}/${opKey}`;
    const test = this.operator(op, o[opKey], opPtr);
    if (!test) return { kind: "invalid", ptr, fn: () => false, leaves: 1 };
    const operandShow = (c: EvalCtx) => {
      try {
        return show(test.operand.fn(c));
      } catch {
        return "(error)";
      }
    };

    if (field) {
      const fptr = `${ptr}/${field}`;
      const fname = this.constString(o[field], fptr, "field");
      if (fname === undefined) return { kind: "invalid", ptr, fn: () => false, leaves: 1 };
      const r = resolveField(fname);
      if ("error" in r) {
        this.error(fptr, r.error);
        return { kind: "invalid", ptr, fn: () => false, leaves: 1 };
      }
      if (r.warning) this.warnings.push(`${fptr}: ${r.warning}`);
      const g = this.getter(r.ref);
      const t = test.fn;
      let fn: Cond;
      const single = g.single;
      const coll = g.coll;
      if (coll && single) {
        fn = (c) => {
          const vs = coll(c);
          if (vs === undefined) return t(single(c), c);
          for (let i = 0; i < vs.length; i++) if (!t(vs[i], c)) return false;
          return true;
        };
      } else if (coll) {
        fn = (c) => {
          const vs = coll(c)!;
          for (let i = 0; i < vs.length; i++) if (!t(vs[i], c)) return false;
          return true;
        };
      } else fn = (c) => t(single!(c), c);
      const describe = (c: EvalCtx) => {
        let v: unknown;
        const vs = coll ? coll(c) : undefined;
        if (vs !== undefined) v = vs.length ? `[${vs.map((x) => show(x, 40)).join(", ")}] (each)` : "[] (no members)";
        else v = show(single!(c));
        return `${g.label} is ${typeof v === "string" ? v : show(v)}; ${opKey} ${operandShow(c)}`;
      };
      const applicability = ["type", "name", "fullName", "kind"].includes(r.ref.kind) && test.operand.constant;
      return this.leaf({ kind: "field", ptr, fn, describe, applicability, leaves: 1 });
    }
    if (value) {
      const v = this.value(o[value], `${ptr}/${value}`);
      const t = test.fn;
      const vf = v.fn;
      const fn: Cond = v.constant
        ? (() => {
            const k = v.value === null ? undefined : v.value;
            return (c: EvalCtx) => t(k, c);
          })()
        : (c) => {
            const x = vf(c);
            return t(x === null ? undefined : x, c);
          };
      return this.leaf({ kind: "value", ptr, fn, describe: (c) => `value is ${show(vf(c))}; ${opKey} ${operandShow(c)}`, leaves: 1 });
    }
    // count
    const cptr = `${ptr}/${count}`;
    const spec = o[count!];
    if (!spec || typeof spec !== "object" || Array.isArray(spec)) return bad("count must be an object with field or value");
    if (!["less", "lessorequals", "greater", "greaterorequals", "equals", "notequals", "in", "notin"].includes(op))
      this.error(opPtr, `count is compared with a numeric operator, not '${opKey}'`);
    const sp = spec as Record<string, unknown>;
    const sk = (k: string) => Object.keys(sp).find((x) => x.toLowerCase() === k);
    const cf = sk("field");
    const cv = sk("value");
    const cw = sk("where");
    const cn = sk("name");
    for (const k of Object.keys(sp)) if (![cf, cv, cw, cn].includes(k)) this.error(`${cptr}/${k}`, `unknown count property '${k}'`);
    if (!!cf === !!cv) return bad("count needs exactly one of field or value");
    if (this.countDepth >= 5) return bad("counts are nested too deeply");
    const depth2 = this.scopes.length;
    let counter: (c: EvalCtx) => number;
    let label: string;
    if (cf) {
      if (cn) this.error(`${cptr}/${cn}`, "count.name is only for value counts");
      const fname = this.constString(sp[cf], `${cptr}/${cf}`, "count.field");
      if (fname === undefined) return { kind: "invalid", ptr, fn: () => false, leaves: 1 };
      const r = resolveField(fname);
      if ("error" in r) return bad(r.error);
      if (r.ref.kind !== "alias" || !r.ref.alias.isArray || !fname.trim().endsWith("[*]"))
        return bad(`count.field must be an array alias ending in [*] (got '${fname}')`);
      const g = this.getter(r.ref);
      label = `count(${fname})`;
      const collect = g.coll ?? ((c: EvalCtx) => [] as unknown[]);
      const coll = (c: EvalCtx) => collect(c) ?? [];
      let where: CondNode | undefined;
      if (cw) {
        this.scopes.push({ kind: "field", depth: depth2, alias: r.ref.alias, label: fname });
        this.countDepth++;
        where = this.condition(sp[cw], `${cptr}/${cw}`, depth + 1);
        this.countDepth--;
        this.scopes.pop();
      }
      counter = this.counter(coll, where, depth2);
      return this.countNode(ptr, counter, test.fn, label, opKey, operandShow, where);
    }
    const vc = this.value(sp[cv!], `${cptr}/${cv}`);
    if (vc.constant && !Array.isArray(vc.value)) this.error(`${cptr}/${cv}`, "count.value must be an array");
    if (++this.valueCounts > 10) this.error(cptr, "more than 10 value count expressions in a rule");
    let name = "default";
    if (cn) {
      if (typeof sp[cn] !== "string" || !/^[A-Za-z0-9]+$/.test(sp[cn] as string))
        this.error(`${cptr}/${cn}`, "count.name must be letters and digits");
      else name = (sp[cn] as string).toLowerCase();
    } else if (this.scopes.length) this.error(cptr, "count.name is required for a value count nested in another count");
    const vfn = vc.fn;
    const coll = (c: EvalCtx): unknown[] => {
      const v = vfn(c);
      if (!Array.isArray(v)) throw new PolicyEvalError(`count.value is ${typeName(v)}, not an array`);
      if (v.length > 100) throw new PolicyEvalError(`count.value has ${v.length} members (limit 100)`);
      return v;
    };
    let where: CondNode | undefined;
    if (cw) {
      this.scopes.push({ kind: "value", depth: depth2, name });
      this.countDepth++;
      where = this.condition(sp[cw], `${cptr}/${cw}`, depth + 1);
      this.countDepth--;
      this.scopes.pop();
    }
    counter = this.counter(coll, where, depth2);
    return this.countNode(ptr, counter, test.fn, `count(value ${name})`, opKey, operandShow, where);
  }

  counter(coll: (c: EvalCtx) => unknown[], where: CondNode | undefined, depth: number): (c: EvalCtx) => number {
    if (!where) return (c) => coll(c).length;
    const w = where.fn;
    return (c) => {
      const members = coll(c);
      const saved = c.cur[depth];
      let n = 0;
      for (let i = 0; i < members.length; i++) {
        c.cur[depth] = members[i];
        if (w(c)) n++;
      }
      c.cur[depth] = saved;
      return n;
    };
  }

  countNode(
    ptr: string,
    counter: (c: EvalCtx) => number,
    t: (v: unknown, c: EvalCtx) => boolean,
    label: string,
    opKey: string,
    operandShow: (c: EvalCtx) => string,
    where?: CondNode,
  ): CondNode {
    return this.leaf({
      kind: "count",
      ptr,
      fn: (c) => t(counter(c), c),
      describe: (c) => `${label}${where ? " where …" : ""} is ${counter(c)}; ${opKey} ${operandShow(c)}`,
      children: where ? [where] : undefined,
      leaves: 1 + (where?.leaves ?? 0),
    });
  }

  operator(op: string, raw: unknown, ptr: string): { fn: (v: unknown, c: EvalCtx) => boolean; operand: Compiled } | undefined {
    const operand = this.value(raw, ptr);
    const k = operand.constant ? operand.value : undefined;
    const dyn = operand.fn;
    const neg = (f: (v: unknown, c: EvalCtx) => boolean) => (v: unknown, c: EvalCtx) => !f(v, c);
    const asString = (x: unknown): string | undefined => (x === undefined || x === null || typeof x === "object" ? undefined : String(x));
    switch (op) {
      case "equals":
      case "notequals": {
        let f: (v: unknown, c: EvalCtx) => boolean;
        if (operand.constant && typeof k === "string") {
          const low = k.toLowerCase();
          const L = k.length;
          f = (v) => (typeof v === "string" ? v.length === L && (v === k || v.toLowerCase() === low) : looseEquals(v, k));
        } else if (operand.constant) f = (v) => looseEquals(v, k);
        else f = (v, c) => looseEquals(v, dyn(c));
        return { fn: op === "equals" ? f : neg(f), operand };
      }
      case "like":
      case "notlike": {
        if (operand.constant && typeof k !== "string") this.error(ptr, `${op} needs a string pattern`);
        let f: (v: unknown, c: EvalCtx) => boolean;
        if (operand.constant) {
          const m = compileLike(String(k ?? ""));
          f = (v) => {
            const s = asString(v);
            return s !== undefined && m(s);
          };
        } else
          f = (v, c) => {
            const s = asString(v);
            return s !== undefined && compileLike(String(dyn(c) ?? ""))(s);
          };
        return { fn: op === "like" ? f : neg(f), operand };
      }
      case "match":
      case "notmatch":
      case "matchinsensitively":
      case "notmatchinsensitively": {
        const ins = op.endsWith("insensitively");
        if (operand.constant && typeof k !== "string") this.error(ptr, `${op} needs a string pattern`);
        let f: (v: unknown, c: EvalCtx) => boolean;
        if (operand.constant) {
          const m = compileMatch(String(k ?? ""), ins);
          f = (v) => {
            const s = asString(v);
            return s !== undefined && m(s);
          };
        } else
          f = (v, c) => {
            const s = asString(v);
            return s !== undefined && compileMatch(String(dyn(c) ?? ""), ins)(s);
          };
        return { fn: op.startsWith("not") ? neg(f) : f, operand };
      }
      case "contains":
      case "notcontains": {
        const test = (v: unknown, x: unknown): boolean => {
          if (v === undefined) return false;
          if (typeof v === "string") {
            const s = asString(x);
            return s !== undefined && v.toLowerCase().includes(s.toLowerCase());
          }
          if (Array.isArray(v)) return v.some((y) => looseEquals(y, x));
          return false;
        };
        let f: (v: unknown, c: EvalCtx) => boolean;
        if (operand.constant && typeof k === "string") {
          const low = k.toLowerCase();
          f = (v) => (typeof v === "string" ? v.toLowerCase().includes(low) : test(v, k));
        } else f = operand.constant ? (v) => test(v, k) : (v, c) => test(v, dyn(c));
        return { fn: op === "contains" ? f : neg(f), operand };
      }
      case "in":
      case "notin": {
        let f: (v: unknown, c: EvalCtx) => boolean;
        if (operand.constant) {
          if (!Array.isArray(k)) {
            this.error(ptr, `${op} needs an array (got ${typeName(k)})`);
            return undefined;
          }
          const set = new Set<string>();
          const objs: unknown[] = [];
          for (const x of k) {
            const kk = keyOf(x);
            if (kk === undefined) objs.push(x);
            else set.add(kk);
          }
          f = (v) => {
            if (v === undefined) return false;
            const kk = keyOf(v);
            if (kk !== undefined) return set.has(kk);
            return objs.some((o) => looseEquals(v, o));
          };
        } else
          f = (v, c) => {
            const arr = dyn(c);
            if (!Array.isArray(arr)) throw new PolicyEvalError(`${op} needs an array (got ${typeName(arr)})`);
            return v !== undefined && arr.some((x) => looseEquals(v, x));
          };
        return { fn: op === "in" ? f : neg(f), operand };
      }
      case "containskey":
      case "notcontainskey": {
        const test = (v: unknown, key: unknown): boolean => {
          if (!v || typeof v !== "object" || Array.isArray(v)) return false;
          const s = asString(key);
          if (s === undefined) return false;
          const sl = s.toLowerCase();
          for (const kk in v as object) if (kk.toLowerCase() === sl) return true;
          return false;
        };
        const f = operand.constant ? (v: unknown) => test(v, k) : (v: unknown, c: EvalCtx) => test(v, dyn(c));
        return { fn: op === "containskey" ? f : neg(f), operand };
      }
      case "less":
      case "lessorequals":
      case "greater":
      case "greaterorequals": {
        const cmp =
          op === "less"
            ? (d: number) => d < 0
            : op === "lessorequals"
              ? (d: number) => d <= 0
              : op === "greater"
                ? (d: number) => d > 0
                : (d: number) => d >= 0;
        if (operand.constant && (k === undefined || k === null || typeof k === "object" || typeof k === "boolean"))
          this.error(ptr, `${op} needs a number, date or string (got ${typeName(k)})`);
        const f = operand.constant
          ? (v: unknown) => v !== undefined && cmp(compareValues(v, k))
          : (v: unknown, c: EvalCtx) => v !== undefined && cmp(compareValues(v, dyn(c)));
        return { fn: f, operand };
      }
      case "exists": {
        let want: boolean | undefined;
        if (operand.constant) {
          if (typeof k === "boolean") want = k;
          else if (typeof k === "string" && /^(true|false)$/i.test(k)) want = k.toLowerCase() === "true";
          else {
            this.error(ptr, `exists needs true or false (got ${show(k)})`);
            return undefined;
          }
          const w = want;
          return { fn: (v) => (v !== undefined) === w, operand };
        }
        return {
          fn: (v, c) => {
            const x = dyn(c);
            const b = typeof x === "boolean" ? x : String(x).toLowerCase() === "true";
            return (v !== undefined) === b;
          },
          operand,
        };
      }
    }
    return undefined;
  }
}

function suggestOp(op: string): string {
  const hit = OPERATORS.find((o) => o.startsWith(op.slice(0, 4)));
  return hit ? `; did you mean '${hit}'?` : "";
}

/** Resolves the parameter values: assignment values (bare or `{value}`), then defaults. */
export function resolveParams(
  defs: Record<string, ParameterDef>,
  given: Record<string, unknown> = {},
  opts: { placeholders?: boolean } = {},
): { values: Record<string, unknown>; errors: PolicyIssue[] } {
  const values: Record<string, unknown> = {};
  const errors: PolicyIssue[] = [];
  const givenKeys = Object.keys(given);
  for (const gk of givenKeys)
    if (!Object.keys(defs).some((d) => d.toLowerCase() === gk.toLowerCase()))
      errors.push({ pointer: `/parameters/${gk}`, message: `parameter '${gk}' is not defined by the policy` });
  for (const [name, def] of Object.entries(defs)) {
    const gk = givenKeys.find((k) => k.toLowerCase() === name.toLowerCase());
    let v: unknown;
    if (gk !== undefined) {
      v = given[gk];
      if (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 1 && "value" in v)
        v = (v as { value: unknown }).value;
      if (def.allowedValues && !def.allowedValues.some((a) => looseEquals(a, v)))
        errors.push({
          pointer: `/parameters/${name}`,
          message: `value ${show(v)} is not one of the allowed values ${show(def.allowedValues)}`,
        });
    } else if (def.defaultValue !== undefined) v = def.defaultValue;
    else if (opts.placeholders) v = placeholder(def.type);
    else {
      errors.push({ pointer: `/parameters/${name}`, message: `parameter '${name}' has no default value; pass a value` });
      v = placeholder(def.type);
    }
    values[name] = v;
  }
  return { values, errors };
}

function placeholder(type: string): unknown {
  switch (type.toLowerCase()) {
    case "array":
      return [];
    case "object":
      return {};
    case "boolean":
      return false;
    case "integer":
    case "float":
      return 0;
    default:
      return "";
  }
}

export interface CompileResult {
  compiled: CompiledPolicy;
  errors: PolicyIssue[];
}

/** Compiles, collecting every problem. `placeholders` lets validation proceed without parameter values. */
export function compileCollect(
  def: PolicyDefinition,
  params: Record<string, unknown> = {},
  opts: { placeholders?: boolean; counter?: { leaves: number; gated?: number } } = {},
): CompileResult {
  const base = def.pointerBase;
  const pr = resolveParams(def.parameters, params, opts);
  const errors: PolicyIssue[] = pr.errors.map((e) => ({ ...e, pointer: `${base}${e.pointer}` }));
  const cx = new Compiler(pr.values, def.parameters);
  cx.leafCounter = opts.counter;
  const rulePtr = `${base}/policyRule`;
  const root = cx.condition(def.policyRule.if, `${rulePtr}/if`);
  const then = def.policyRule.then ?? {};
  const thenPtr = `${rulePtr}/then`;
  // Effect
  const mode = def.mode.toLowerCase();
  let effect = "";
  const effRaw = (then as Record<string, unknown>).effect;
  if (typeof effRaw !== "string") cx.error(`${thenPtr}/effect`, "then.effect is required");
  else {
    const e = cx.value(effRaw, `${thenPtr}/effect`);
    if (e.constant && typeof e.value === "string") effect = e.value.toLowerCase();
    else cx.error(`${thenPtr}/effect`, "the effect must be a string or parameters() reference");
    const m = /^\[parameters\('([^']+)'\)\]$/i.exec(effRaw.trim());
    const candidates = m
      ? (Object.entries(def.parameters).find(([k]) => k.toLowerCase() === m[1].toLowerCase())?.[1]?.allowedValues ?? [])
      : [];
    for (const cnd of [effect, ...candidates.map((x) => String(x).toLowerCase())])
      if (cnd && !EFFECTS.includes(cnd) && !PROVIDER_EFFECTS.includes(cnd))
        cx.error(`${thenPtr}/effect`, `unknown effect '${cnd}' (expected one of ${EFFECTS.join(", ")})`);
  }
  const details = (then as Record<string, unknown>).details;
  const dptr = `${thenPtr}/details`;
  let existence: ExistenceCheck | undefined;
  const effectsToCheck = new Set([effect]);
  if (effect === "auditifnotexists" || effect === "deployifnotexists") existence = compileExistence(cx, details, dptr, effect);
  else if (effect === "modify") checkModify(cx, details, dptr);
  else if (effect === "append") checkAppend(cx, details, dptr);
  else if (effect === "denyaction") {
    const names = (details as Record<string, unknown> | undefined)?.actionNames;
    if (!Array.isArray(names) || !names.every((n) => String(n).toLowerCase() === "delete"))
      cx.error(`${dptr}/actionNames`, 'denyAction needs actionNames: ["delete"]');
  } else if (effect === "manual" && details !== undefined) {
    const ds = (details as Record<string, unknown>).defaultState;
    if (ds !== undefined && !/^(unknown|compliant|noncompliant|non-compliant)$/i.test(String(ds)))
      cx.error(`${dptr}/defaultState`, "defaultState must be Unknown, Compliant or NonCompliant");
  }
  void effectsToCheck;
  errors.push(...cx.errors);
  const provider = PROVIDER_MODES.includes(mode);
  let refusal: string | undefined;
  if (provider)
    refusal = `mode ${def.mode} is a resource-provider mode (data-plane objects); it cannot be evaluated against ARM resources offline`;
  else if (PROVIDER_EFFECTS.includes(effect) && effect !== "denyaction")
    refusal = `effect ${effect} applies to a resource-provider mode and is not evaluated offline`;
  return {
    compiled: {
      definition: def,
      mode,
      evaluable: !refusal,
      refusal,
      effect,
      root,
      existence,
      details,
      params: pr.values,
      warnings: cx.warnings,
      leafCount: root.leaves + (existence?.cond?.leaves ?? 0),
      typeGate: typeGate(def.policyRule.if, pr.values),
      leafCounter: opts.counter,
    },
    errors,
  };
}

/** Types admitted by top-level (allOf-nested) `{field: "type", equals|in: constant}` conditions. */
function typeGate(cond: unknown, params: Record<string, unknown>): Set<string> | undefined {
  let gate: Set<string> | undefined;
  const visit = (n: unknown) => {
    if (!n || typeof n !== "object" || Array.isArray(n)) return;
    const o = n as Record<string, unknown>;
    const keys = Object.keys(o);
    const all = keys.find((k) => k.toLowerCase() === "allof");
    if (all && keys.length === 1 && Array.isArray(o[all])) {
      for (const x of o[all] as unknown[]) visit(x);
      return;
    }
    const f = keys.find((k) => k.toLowerCase() === "field");
    if (!f || typeof o[f] !== "string" || (o[f] as string).toLowerCase() !== "type" || keys.length !== 2) return;
    const opKey = keys.find((k) => k !== f)!;
    const op = opKey.toLowerCase();
    let v = o[opKey];
    if (isExpression(v)) {
      const m = /^\[parameters\('([^']+)'\)\]$/i.exec((v as string).trim());
      if (!m) return;
      const key = Object.keys(params).find((k) => k.toLowerCase() === m[1].toLowerCase());
      if (key === undefined) return;
      v = params[key];
    }
    let admitted: string[] | undefined;
    if (op === "equals" && typeof v === "string") admitted = [v];
    else if (op === "in" && Array.isArray(v) && v.every((x) => typeof x === "string")) admitted = v as string[];
    if (!admitted) return;
    const set = new Set(admitted.map((x) => x.toLowerCase()));
    gate = gate ? new Set([...gate].filter((x) => set.has(x))) : set;
  };
  visit(cond);
  return gate;
}

function compileExistence(cx: Compiler, details: unknown, ptr: string, effect: string): ExistenceCheck | undefined {
  if (!details || typeof details !== "object" || Array.isArray(details)) {
    cx.error(ptr, `${effect} needs details with a type`);
    return undefined;
  }
  const d = details as Record<string, unknown>;
  const type = cx.constString(d.type, `${ptr}/type`, "details.type");
  if (type === undefined) return undefined;
  const check: ExistenceCheck = { type, typeLower: type.toLowerCase(), scope: "resourcegroup" };
  if (d.name !== undefined) check.name = cx.value(d.name, `${ptr}/name`);
  if (d.resourceGroupName !== undefined) check.resourceGroupName = cx.value(d.resourceGroupName, `${ptr}/resourceGroupName`);
  if (d.existenceScope !== undefined) {
    const s = String(d.existenceScope).toLowerCase();
    if (s !== "resourcegroup" && s !== "subscription")
      cx.error(`${ptr}/existenceScope`, "existenceScope must be ResourceGroup or Subscription");
    else check.scope = s;
  }
  if (effect === "deployifnotexists") {
    if (!Array.isArray(d.roleDefinitionIds)) cx.error(`${ptr}/roleDefinitionIds`, "deployIfNotExists needs roleDefinitionIds");
  }
  if (d.existenceCondition !== undefined) {
    cx.inExistence = true;
    check.cond = cx.condition(d.existenceCondition, `${ptr}/existenceCondition`);
    cx.inExistence = false;
  }
  return check;
}

function checkModify(cx: Compiler, details: unknown, ptr: string): void {
  const d = (details ?? {}) as Record<string, unknown>;
  if (!Array.isArray(d.roleDefinitionIds)) cx.error(`${ptr}/roleDefinitionIds`, "modify needs roleDefinitionIds");
  if (d.conflictEffect !== undefined && !/^(audit|deny|disabled)$/i.test(String(d.conflictEffect)) && !isExpression(d.conflictEffect))
    cx.error(`${ptr}/conflictEffect`, "conflictEffect must be audit, deny or disabled");
  if (!Array.isArray(d.operations) || d.operations.length === 0) {
    cx.error(`${ptr}/operations`, "modify needs a non-empty operations array");
    return;
  }
  d.operations.forEach((op: unknown, i: number) => {
    const p = `${ptr}/operations/${i}`;
    const o = (op ?? {}) as Record<string, unknown>;
    if (!/^(add|addorreplace|remove)$/i.test(String(o.operation)))
      cx.error(`${p}/operation`, "operation must be add, addOrReplace or remove");
    checkWritableField(cx, o.field, `${p}/field`);
  });
}

function checkAppend(cx: Compiler, details: unknown, ptr: string): void {
  const list = Array.isArray(details) ? details : details ? [details] : [];
  if (!list.length) cx.error(ptr, "append needs details: [{field, value}]");
  list.forEach((x: unknown, i: number) => {
    const o = (x ?? {}) as Record<string, unknown>;
    checkWritableField(cx, o.field, `${ptr}/${i}/field`);
    if (!("value" in o)) cx.error(`${ptr}/${i}/value`, "append entry needs a value");
  });
}

function checkWritableField(cx: Compiler, f: unknown, ptr: string): void {
  if (typeof f !== "string") {
    cx.error(ptr, "field must be a string");
    return;
  }
  const name = isExpression(f) ? cx.constString(f, ptr, "field") : f;
  if (name === undefined) return;
  const r = resolveField(name);
  if ("error" in r) cx.error(ptr, r.error);
  else if (r.warning) cx.warnings.push(`${ptr}: ${r.warning}`);
}

/** Compile for evaluation: throws InputError listing the problems. */
export function compileOrThrow(def: PolicyDefinition, params?: Record<string, unknown>): CompiledPolicy {
  const { compiled, errors } = compileCollect(def, params);
  if (errors.length)
    throw new InputError(
      `policy is invalid: ${errors
        .slice(0, 5)
        .map((e) => `${e.pointer}: ${e.message}`)
        .join("; ")}${errors.length > 5 ? ` (+${errors.length - 5} more)` : ""}`,
      { field: errors[0].pointer },
    );
  return compiled;
}

export type { Compiled };
export { InputError };
