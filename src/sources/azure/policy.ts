import type { AzureContext, OperationOptions } from "./client";

export const POLICY_API = { definitions: "2023-04-01", assignments: "2023-04-01", exemptions: "2022-07-01-preview", states: "2019-10-01" } as const;

/** A policy scope: a subscription, or a management group. */
export type PolicyScope = { subscriptionId: string } | { managementGroup: string };

function scopePath(s?: PolicyScope): string {
  if (!s) return "";
  return "subscriptionId" in s
    ? `/subscriptions/${encodeURIComponent(s.subscriptionId)}`
    : `/providers/Microsoft.Management/managementGroups/${encodeURIComponent(s.managementGroup)}`;
}

/** Policy definitions visible at a scope (custom + built-in); without a scope, the built-ins. */
export function listPolicyDefinitions(ctx: AzureContext, scope?: PolicyScope, opts: OperationOptions = {}): AsyncIterable<Record<string, unknown>> {
  return ctx.list(ctx.armUrl(`${scopePath(scope)}/providers/Microsoft.Authorization/policyDefinitions`, POLICY_API.definitions), opts);
}

export function listPolicyAssignments(ctx: AzureContext, scope: PolicyScope, opts: OperationOptions = {}): AsyncIterable<Record<string, unknown>> {
  return ctx.list(ctx.armUrl(`${scopePath(scope)}/providers/Microsoft.Authorization/policyAssignments`, POLICY_API.assignments), opts);
}

export function listPolicyExemptions(ctx: AzureContext, scope: PolicyScope, opts: OperationOptions = {}): AsyncIterable<Record<string, unknown>> {
  return ctx.list(ctx.armUrl(`${scopePath(scope)}/providers/Microsoft.Authorization/policyExemptions`, POLICY_API.exemptions), opts);
}

export interface PolicyStatesOptions extends OperationOptions {
  /** OData filter, e.g. `IsCompliant eq false`. */
  filter?: string;
  top?: number;
  from?: string;
  to?: string;
}

/** Latest policy states at a scope (POST queryResults; `@odata.nextLink` pages are POSTed too). */
export function queryPolicyStates(ctx: AzureContext, scope: PolicyScope, opts: PolicyStatesOptions = {}): AsyncIterable<Record<string, unknown>> {
  const url = ctx.armUrl(`${scopePath(scope)}/providers/Microsoft.PolicyInsights/policyStates/latest/queryResults`, POLICY_API.states, {
    $filter: opts.filter,
    $top: opts.top ? String(opts.top) : undefined,
    $from: opts.from,
    $to: opts.to,
  });
  return ctx.list(url, { ...opts, method: "POST" });
}
