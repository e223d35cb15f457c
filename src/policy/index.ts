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

export { parsePolicy, validatePolicy } from "./parse";
export type { ParameterDef, PolicyDefinition, ValidationResult } from "./parse";
export { evaluate } from "./evaluate";
export type { Evaluation, EvaluateOptions, Outcome, TraceStep } from "./evaluate";
export { whatIf, whatIfCompiled, environmentFromTags } from "./whatif";
export type { Counts, WhatIfOptions, WhatIfResult } from "./whatif";
export type { CompiledPolicy, PolicyIssue } from "./compile";
export { prepare, buildInventory, defaultEnv } from "./context";
export type { EvalEnv, PreparedResource } from "./context";
export { resolveField, closestAlias } from "./aliases";

/** Compiles a parsed definition with assignment parameter values; throws InputError when invalid. */
export function compilePolicy(definition: PolicyDefinition, params?: Record<string, unknown>): CompiledPolicy {
  return compileOrThrow(definition, params);
}
