import { NotFoundError } from "../domain/errors";
import type { Finding } from "../domain/finding";
import { aliasCatalog } from "./aliases";
import { type BuiltinPolicy, builtinDefinition, builtinFullId, getBuiltin, searchAliases, searchBuiltins, tokenize } from "./builtins";
import { validatePolicy } from "./parse";
import { type WhatIfResult, whatIf } from "./whatif";

export interface PolicyDraft {
  /** file-name friendly name */
  name: string;
  /** the policy definition document ({properties: {...}}) */
  policy: Record<string, unknown>;
  source: "pack-remediation" | "builtin" | "alias-skeleton";
  /** built-ins that already do it, best first (assign by id rather than copying) */
  recommendedBuiltins: { id: string; displayName: string; score?: number; effects: string[] }[];
  notes: string[];
}

export interface CheckedDraft extends PolicyDraft {
  validation: { valid: boolean; errors: { pointer: string; message: string }[]; warnings: string[] };
  whatIf?: Omit<WhatIfResult, "resources"> & { resources?: WhatIfResult["resources"] };
  whatIfRefused?: string;
}

export function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "")
      .slice(0, 60) || "policy"
  );
}

/** A draft from a finding: its pack's azure-policy remediation, else its recommendation's built-in policy. */
export function draftFromFinding(finding: Finding): PolicyDraft {
  const rem = finding.remediation.find((r) => r.kind === "azure-policy");
  const pid = finding.recommendation.policyDefinitionId ?? undefined;
  const builtin = pid ? getBuiltin(pid) : undefined;
  const recommended = builtin ? [rec(builtin)] : [];
  if (rem) {
    let policy: Record<string, unknown>;
    try {
      policy = JSON.parse(rem.content) as Record<string, unknown>;
    } catch {
      policy = { invalid: rem.content };
    }
    const name = slug(((policy.properties as Record<string, unknown> | undefined)?.displayName as string) ?? finding.recommendation.name);
    return {
      name,
      policy,
      source: "pack-remediation",
      recommendedBuiltins: recommended,
      notes: [
        `from the azure-policy remediation of finding ${finding.id} (${finding.recommendation.name})`,
        ...(builtin ? [`built-in ${builtin.id} ("${builtin.name}") covers the same recommendation; prefer assigning it by id`] : []),
        `rollback: ${rem.rollback}`,
      ],
    };
  }
  if (builtin) return fromBuiltin(builtin, `recommendation ${finding.recommendation.name} of finding ${finding.id}`);
  throw new NotFoundError(`finding ${finding.id} has no azure-policy remediation and no known built-in policy`, {
    hint: 'try `clarion policy draft --text "..."` with what the policy should enforce',
  });
}

function rec(b: BuiltinPolicy, score?: number) {
  return {
    id: builtinFullId(b.id),
    displayName: b.name,
    score: score === undefined ? undefined : Math.round(score * 100) / 100,
    effects: b.effects,
  };
}

function fromBuiltin(b: BuiltinPolicy, why: string): PolicyDraft {
  const doc = builtinDefinition(b);
  const props = doc.properties as Record<string, unknown>;
  const policy = {
    properties: {
      ...props,
      policyType: "Custom",
      displayName: `${b.name} (Clarion draft)`.slice(0, 128),
      metadata: { ...(props.metadata as object), source: `builtin:${b.id}` },
    },
  };
  return {
    name: slug(b.name),
    policy,
    source: "builtin",
    recommendedBuiltins: [rec(b)],
    notes: [
      `built-in ${builtinFullId(b.id)} already does this (${why}): assign it by id instead of creating a custom copy`,
      "the draft is the built-in's rule as a custom definition, for review and what-if",
    ],
  };
}

/** A draft from a sentence: recommend built-ins first; otherwise a skeleton on the closest alias. */
export function draftFromText(text: string): PolicyDraft {
  const hits = searchBuiltins(text, 5);
  const recommended = hits.map((h) => rec(h.item, h.score));
  const best = hits[0];
  if (best && coverage(text, best.item) >= 0.6) {
    const d = fromBuiltin(best.item, `best match for "${text}"`);
    return { ...d, recommendedBuiltins: recommended };
  }
  const aliases = searchAliases(text, 3);
  if (!aliases.length)
    throw new NotFoundError(`nothing in the alias or built-in catalogs matches "${text}"`, { hint: "name the resource and the property" });
  const alias = aliases[0].item;
  const info = aliasCatalog().aliases.get(alias.toLowerCase())!;
  const type = aliasCatalog().types.get([...info.paths.keys()][0]) ?? alias.slice(0, alias.lastIndexOf("/"));
  const policy = {
    properties: {
      displayName: text.slice(0, 128),
      policyType: "Custom",
      mode: "Indexed",
      description: `Clarion draft from text; review the condition before assignment. Closest aliases: ${aliases.map((a) => a.item).join(", ")}`,
      metadata: { category: type.split("/")[0].replace(/^Microsoft\./, ""), source: "clarion:draft-text" },
      parameters: {
        effect: { type: "String", allowedValues: ["Audit", "Deny", "Disabled"], defaultValue: "Audit" },
      },
      policyRule: {
        if: {
          allOf: [
            { field: "type", equals: type },
            { field: alias, exists: "false" },
          ],
        },
        then: { effect: "[parameters('effect')]" },
      },
    },
  };
  return {
    name: slug(text),
    policy,
    source: "alias-skeleton",
    recommendedBuiltins: recommended,
    notes: [
      `no built-in matched well enough; the skeleton audits ${type} resources where ${alias} is not set — adjust the operator and value`,
    ],
  };
}

/** Share of the query's words the built-in's name, category and types contain. */
function coverage(text: string, b: BuiltinPolicy): number {
  const q = [...new Set(tokenize(text))];
  if (!q.length) return 0;
  const doc = new Set(tokenize(`${b.name} ${b.category} ${b.types.join(" ")}`));
  return q.filter((w) => doc.has(w)).length / q.length;
}

/** Validates and what-ifs a draft (the CLI writes it only after this). */
export function checkDraft(
  draft: PolicyDraft,
  resources: Record<string, unknown>[],
  opts: { now?: string; keepRows?: boolean } = {},
): CheckedDraft {
  const v = validatePolicy(draft.policy);
  const out: CheckedDraft = { ...draft, validation: { valid: v.valid, errors: v.errors, warnings: v.warnings } };
  if (!v.valid) return out;
  if (v.notEvaluable) {
    out.whatIfRefused = v.notEvaluable;
    return out;
  }
  try {
    const w = whatIf(draft.policy, resources, { now: opts.now, reasons: "noncompliant" });
    const { resources: rows, ...rest } = w;
    out.whatIf = opts.keepRows ? w : { ...rest, resources: rows.filter((r) => r.result === "noncompliant").slice(0, 50) };
  } catch (e) {
    out.whatIfRefused = (e as Error).message;
  }
  return out;
}
