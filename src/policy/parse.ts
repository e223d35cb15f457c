import { compileCollect, type PolicyIssue, PROVIDER_MODES, RM_MODES } from "./compile";

export interface ParameterDef {
  type: string;
  allowedValues?: unknown[];
  defaultValue?: unknown;
  metadata?: Record<string, unknown>;
}

/** A policy definition, normalized: the `properties` envelope removed, mode defaulted. */
export interface PolicyDefinition {
  id?: string;
  name?: string;
  displayName?: string;
  description?: string;
  /** as written; `Indexed` when absent (Azure's back-compat default) */
  mode: string;
  parameters: Record<string, ParameterDef>;
  policyRule: { if: unknown; then: { effect?: unknown; details?: unknown } & Record<string, unknown> };
  metadata?: Record<string, unknown>;
  /** JSON pointer prefix of the definition's properties in the input (`/properties` or ``). */
  pointerBase: string;
}

const PARAM_TYPES = ["string", "array", "object", "boolean", "integer", "float", "datetime"];

/**
 * Parses a policy definition (JSON text or object; bare properties, `{properties}` or a full ARM resource)
 * and checks its shape. Rule contents are checked by validatePolicy.
 */
export function parsePolicy(json: unknown): { definition: PolicyDefinition | null; errors: PolicyIssue[] } {
  const errors: PolicyIssue[] = [];
  let doc = json;
  if (typeof json === "string") {
    try {
      doc = JSON.parse(json.replace(/^\uFEFF/, ""));
    } catch (e) {
      return { definition: null, errors: [{ pointer: "", message: `not valid JSON: ${(e as Error).message}` }] };
    }
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc))
    return { definition: null, errors: [{ pointer: "", message: "a policy definition must be a JSON object" }] };
  const outer = doc as Record<string, unknown>;
  let props = outer;
  let base = "";
  if (outer.properties && typeof outer.properties === "object" && !outer.policyRule) {
    props = outer.properties as Record<string, unknown>;
    base = "/properties";
  }
  const rule = props.policyRule as Record<string, unknown> | undefined;
  if (!rule || typeof rule !== "object" || Array.isArray(rule)) {
    errors.push({ pointer: `${base}/policyRule`, message: "policyRule is required (an object with if and then)" });
    return { definition: null, errors };
  }
  const ifKey = Object.keys(rule).find((k) => k.toLowerCase() === "if");
  const thenKey = Object.keys(rule).find((k) => k.toLowerCase() === "then");
  if (!ifKey) errors.push({ pointer: `${base}/policyRule/if`, message: "policyRule.if is required" });
  if (!thenKey || typeof rule[thenKey] !== "object" || rule[thenKey] === null)
    errors.push({ pointer: `${base}/policyRule/then`, message: "policyRule.then is required (an object with effect)" });
  for (const k of Object.keys(rule))
    if (k !== ifKey && k !== thenKey)
      errors.push({ pointer: `${base}/policyRule/${k}`, message: `unexpected property '${k}' in policyRule` });
  let mode = "Indexed";
  if (props.mode !== undefined && props.mode !== null) {
    if (typeof props.mode !== "string") errors.push({ pointer: `${base}/mode`, message: "mode must be a string" });
    else {
      mode = props.mode;
      const m = mode.toLowerCase();
      if (!RM_MODES.includes(m) && !PROVIDER_MODES.includes(m))
        errors.push({
          pointer: `${base}/mode`,
          message: `unknown mode '${mode}' (All, Indexed or a resource-provider mode such as Microsoft.Kubernetes.Data)`,
        });
    }
  }
  const parameters: Record<string, ParameterDef> = {};
  const rawParams = props.parameters;
  if (rawParams !== undefined && rawParams !== null) {
    if (typeof rawParams !== "object" || Array.isArray(rawParams))
      errors.push({ pointer: `${base}/parameters`, message: "parameters must be an object" });
    else
      for (const [name, p] of Object.entries(rawParams as Record<string, unknown>)) {
        const ptr = `${base}/parameters/${escapePtr(name)}`;
        if (!p || typeof p !== "object") {
          errors.push({ pointer: ptr, message: "a parameter must be an object with a type" });
          continue;
        }
        const pd = p as Record<string, unknown>;
        const type = typeof pd.type === "string" ? pd.type : "";
        if (!PARAM_TYPES.includes(type.toLowerCase()))
          errors.push({
            pointer: `${ptr}/type`,
            message: `parameter type must be one of String, Array, Object, Boolean, Integer, Float, DateTime (got ${JSON.stringify(pd.type)})`,
          });
        if (pd.allowedValues !== undefined && !Array.isArray(pd.allowedValues))
          errors.push({ pointer: `${ptr}/allowedValues`, message: "allowedValues must be an array" });
        const allowed = Array.isArray(pd.allowedValues) && pd.allowedValues.length ? pd.allowedValues : undefined;
        if (pd.defaultValue !== undefined) {
          if (!typeMatches(type, pd.defaultValue))
            errors.push({ pointer: `${ptr}/defaultValue`, message: `defaultValue does not match type ${type}` });
          else if (allowed && !allowedHas(allowed, type, pd.defaultValue))
            errors.push({ pointer: `${ptr}/defaultValue`, message: "defaultValue is not one of allowedValues" });
        }
        parameters[name] = {
          type: type || "String",
          allowedValues: allowed,
          defaultValue: pd.defaultValue,
          metadata: pd.metadata as Record<string, unknown> | undefined,
        };
      }
  }
  if (errors.length && (!ifKey || !thenKey)) return { definition: null, errors };
  const definition: PolicyDefinition = {
    id: typeof outer.id === "string" ? outer.id : undefined,
    name: typeof outer.name === "string" ? outer.name : undefined,
    displayName: typeof props.displayName === "string" ? props.displayName : undefined,
    description: typeof props.description === "string" ? props.description : undefined,
    mode,
    parameters,
    policyRule: { if: rule[ifKey as string], then: (rule[thenKey as string] ?? {}) as PolicyDefinition["policyRule"]["then"] },
    metadata: props.metadata as Record<string, unknown> | undefined,
    pointerBase: base,
  };
  return { definition, errors };
}

function typeMatches(type: string, v: unknown): boolean {
  switch (type.toLowerCase()) {
    case "string":
    case "datetime":
      return typeof v === "string";
    case "array":
      return Array.isArray(v);
    case "object":
      return typeof v === "object" && v !== null && !Array.isArray(v);
    case "boolean":
      return typeof v === "boolean" || (typeof v === "string" && /^(true|false)$/i.test(v));
    case "integer":
      return typeof v === "number" && Number.isInteger(v);
    case "float":
      return typeof v === "number";
    default:
      return true;
  }
}

function allowedHas(allowed: unknown[], type: string, v: unknown): boolean {
  const eq = (a: unknown, b: unknown) =>
    typeof a === "string" && typeof b === "string" ? a.toLowerCase() === b.toLowerCase() : JSON.stringify(a) === JSON.stringify(b);
  if (type.toLowerCase() === "array" && Array.isArray(v))
    return v.every((x) => allowed.some((a) => eq(a, x)) || allowed.some((a) => eq(a, v)));
  return allowed.some((a) => eq(a, v));
}

function escapePtr(s: string): string {
  return s.replace(/~/g, "~0").replace(/\//g, "~1");
}

export interface ValidationResult {
  valid: boolean;
  errors: PolicyIssue[];
  /** not errors: aliases resolved by the default rule, functions that cannot be evaluated offline... */
  warnings: string[];
  /** the definition when it parsed */
  definition: PolicyDefinition | null;
  /** set when the definition is valid but cannot be evaluated offline (resource-provider mode...) */
  notEvaluable?: string;
}

/**
 * Validates a policy definition: shape, mode, parameters, every condition and operator, every field against
 * the alias catalog (unknown aliases suggest the closest), every template function, the effect and its details.
 */
export function validatePolicy(json: unknown): ValidationResult {
  const { definition, errors } = parsePolicy(json);
  if (!definition) return { valid: false, errors, warnings: [], definition };
  const r = compileCollect(definition, {}, { placeholders: true });
  const all = [...errors, ...r.errors];
  return {
    valid: all.length === 0,
    errors: all,
    warnings: r.compiled.warnings,
    definition,
    notEvaluable: r.compiled.refusal,
  };
}
