/**
 * Clarion's Azure Policy engine: parse, validate, compile, evaluate and what-if policy definitions offline
 * against Azure Resource Graph rows. Stable public API (knowledge packs call validatePolicy and whatIf).
 *
 * @example
 * const v = validatePolicy(json);                     // {valid, errors: [{pointer, message}], warnings}
 * const compiled = compilePolicy(parsePolicy(json).definition!, { effect: "Deny" });
 * evaluate(compiled, argRow);                         // {result, reason, trace}
 * whatIf(json, argRows, { params: { effect: "Audit" } }); // {policy, mode, effect, evaluated, counts, resources, ...}
 */
import { type CompiledPolicy, compileOrThrow } from "./compile";
import type { PolicyDefinition } from "./parse";

export { closestAlias, resolveField } from "./aliases";
export type { CompiledPolicy, PolicyIssue } from "./compile";
export type { EvalEnv, PreparedResource } from "./context";
export { buildInventory, defaultEnv, prepare } from "./context";
export type { EvaluateOptions, Evaluation, Outcome, TraceStep } from "./evaluate";
export { evaluate } from "./evaluate";
export type { ParameterDef, PolicyDefinition, ValidationResult } from "./parse";
export { parsePolicy, validatePolicy } from "./parse";
export type { Counts, WhatIfOptions, WhatIfResult } from "./whatif";
export { environmentFromTags, whatIf, whatIfCompiled } from "./whatif";

/** Compiles a parsed definition with assignment parameter values; throws InputError when invalid. */
export function compilePolicy(definition: PolicyDefinition, params?: Record<string, unknown>): CompiledPolicy {
  return compileOrThrow(definition, params);
}
