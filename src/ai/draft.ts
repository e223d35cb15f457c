import { InputError } from "../domain/errors";
import { builtinDefinition, builtinFullId, getBuiltin, searchAliases, searchBuiltins } from "../policy/builtins";
import { type CheckedDraft, checkDraft, type PolicyDraft, slug } from "../policy/draft";
import type { AuditSink } from "./narrative";
import { sha256 } from "./narrative";
import { DRAFT_PROMPT_VERSION, type DraftAnswer, type DraftPayload, DraftSchema, draftMessages, parseJsonObject } from "./prompts";
import type { LlmProvider } from "./provider";
import { createLlmRedactor, type Redactor } from "./redact";

/**
 * Natural-language policy drafting through a model. Retrieval over the built-in and alias catalogs picks the
 * candidates; the model may choose a built-in (by id, from the candidates only) or write a custom definition.
 * Every draft then goes through guards (Audit by default, no scopes or assignments, only the retrieved resource
 * types) and the policy engine's validator and what-if. A draft that fails is refused, with the reasons.
 */
export interface ModelDraftOptions {
  provider: LlmProvider;
  /** ARG rows for the what-if (default: none, which still validates and compiles). */
  resources?: Record<string, unknown>[];
  redact?: Redactor;
  audit?: AuditSink;
  now?: string;
}

export interface ModelDraftResult {
  status: "accepted" | "refused";
  reasons: string[];
  request: string;
  draft?: CheckedDraft;
  answer?: DraftAnswer;
  retrieval: { builtins: { id: string; displayName: string; score: number }[]; aliases: string[]; resourceTypes: string[] };
  usage: { calls: number; promptTokens: number; completionTokens: number };
  promptVersion: string;
  model: string;
}

const AUDIT_EFFECTS = new Set(["audit", "auditifnotexists", "disabled"]);
const ALLOWED_PROPS = new Set(["displayName", "description", "mode", "parameters", "policyRule", "metadata", "policyType"]);

function typeOfAlias(alias: string): string {
  return alias.slice(0, alias.lastIndexOf("/"));
}

function collect(node: unknown, visit: (o: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) {
    for (const n of node) collect(n, visit);
  } else if (node && typeof node === "object") {
    visit(node as Record<string, unknown>);
    for (const v of Object.values(node)) collect(v, visit);
  }
}

/** The guards a model-written definition must pass before the validator even sees it. */
export function guardCustomPolicy(policy: Record<string, unknown>, allowedTypes: string[]): string[] {
  const reasons: string[] = [];
  const props = (policy.properties ?? policy) as Record<string, unknown>;
  for (const k of Object.keys(policy)) if (!["properties", "name", "id"].includes(k)) reasons.push(`unexpected top-level member "${k}"`);
  for (const k of Object.keys(props))
    if (!ALLOWED_PROPS.has(k)) reasons.push(`unexpected member properties.${k} (drafts carry no scopes, assignments or exemptions)`);
  collect(props, (o) => {
    for (const k of Object.keys(o))
      if (/scope|assignment|exempt/i.test(k)) reasons.push(`"${k}" is not allowed in a draft: scope is decided at assignment, by a person`);
  });
  const rule = props.policyRule as { if?: unknown; then?: { effect?: unknown } } | undefined;
  const params = (props.parameters ?? {}) as Record<string, { defaultValue?: unknown }>;
  const effect = typeof rule?.then?.effect === "string" ? rule.then.effect : "";
  const m = /^\[parameters\('([^']+)'\)\]$/i.exec(effect.trim());
  const effective = String(m ? (params[m[1]]?.defaultValue ?? "") : effect);
  if (!AUDIT_EFFECTS.has(effective.toLowerCase()))
    reasons.push(
      `default effect "${effective || "(none)"}" refused: drafts start as Audit, AuditIfNotExists or Disabled; a person raises the effect after review`,
    );
  const types: string[] = [];
  collect(rule?.if, (o) => {
    if (typeof o.field === "string" && o.field.toLowerCase() === "type") {
      for (const op of ["equals", "in", "like"]) {
        const v = o[op];
        if (typeof v === "string") types.push(v);
        if (Array.isArray(v)) types.push(...v.filter((x): x is string => typeof x === "string"));
      }
    }
  });
  const allowed = new Set(allowedTypes.map((t) => t.toLowerCase()));
  if (!types.length) reasons.push("the rule does not constrain the resource type, so it would apply to every resource");
  for (const t of types) if (!allowed.has(t.toLowerCase())) reasons.push(`resource type ${t} was not retrieved for this request`);
  return [...new Set(reasons)];
}

export async function draftPolicyWithModel(text: string, opts: ModelDraftOptions): Promise<ModelDraftResult> {
  const request = text.trim();
  if (!request) throw new InputError("describe the policy in a sentence", { field: "text" });
  const redact = opts.redact ?? createLlmRedactor();
  const builtins = searchBuiltins(request, 6);
  const aliases = searchAliases(request, 8).map((a) => a.item);
  const resourceTypes = [...new Set([...builtins.flatMap((b) => b.item.types), ...aliases.map(typeOfAlias)])];
  const payload: DraftPayload = {
    task: "draft-azure-policy",
    request: redact(request),
    builtins: builtins.map((b) => ({
      id: builtinFullId(b.item.id),
      displayName: b.item.name,
      effects: b.item.effects,
      types: b.item.types,
    })),
    aliases,
    resourceTypes,
  };
  const result: ModelDraftResult = {
    status: "refused",
    reasons: [],
    request,
    retrieval: {
      builtins: builtins.map((b) => ({ id: builtinFullId(b.item.id), displayName: b.item.name, score: Math.round(b.score * 100) / 100 })),
      aliases,
      resourceTypes,
    },
    usage: { calls: 0, promptTokens: 0, completionTokens: 0 },
    promptVersion: DRAFT_PROMPT_VERSION,
    model: opts.provider.model,
  };
  let reasons: string[] | undefined;
  for (let attempt = 1; attempt <= 2; attempt++) {
    const messages = draftMessages(payload, reasons);
    opts.audit?.({
      action: "llm.prompt",
      subject: `draft-${sha256(request).slice(0, 12)}`,
      digest: sha256(JSON.stringify(messages)),
      details: { promptVersion: DRAFT_PROMPT_VERSION, model: opts.provider.model, attempt },
    });
    let answerText: string;
    try {
      const res = await opts.provider.complete({ messages, maxTokens: 1200 });
      result.usage.calls++;
      result.usage.promptTokens += res.promptTokens;
      result.usage.completionTokens += res.completionTokens;
      answerText = res.text;
    } catch (e) {
      result.reasons = [`model unavailable: ${(e as Error).message}`];
      return result;
    }
    reasons = [];
    let answer: DraftAnswer | undefined;
    try {
      const parsed = DraftSchema.safeParse(parseJsonObject(answerText));
      if (parsed.success) answer = parsed.data;
      else reasons = parsed.error.issues.slice(0, 6).map((i) => `schema: ${i.path.join(".") || "(root)"}: ${i.message}`);
    } catch (e) {
      reasons = [`the answer is not one JSON object (${(e as Error).message})`];
    }
    let draft: PolicyDraft | undefined;
    if (answer) {
      result.answer = answer;
      if (answer.builtinId) {
        const known = payload.builtins.find(
          (b) =>
            b.id.toLowerCase() === answer.builtinId?.toLowerCase() || b.id.toLowerCase().endsWith(`/${answer.builtinId?.toLowerCase()}`),
        );
        const b = known ? getBuiltin(known.id) : undefined;
        if (!b) reasons.push(`built-in ${answer.builtinId} is not among the retrieved candidates`);
        else {
          const doc = builtinDefinition(b);
          draft = {
            name: slug(b.name),
            policy: {
              properties: {
                ...(doc.properties as object),
                policyType: "Custom",
                displayName: `${b.name} (Clarion draft)`.slice(0, 128),
                metadata: { category: b.category, source: `builtin:${b.id}` },
              },
            },
            source: "builtin",
            recommendedBuiltins: [{ id: builtinFullId(b.id), displayName: b.name, effects: b.effects }],
            notes: [
              `the model chose built-in ${builtinFullId(b.id)}: assign it by id rather than creating a copy`,
              `model rationale: ${answer.rationale.slice(0, 300)}`,
            ],
          };
        }
      } else if (answer.policy) {
        reasons.push(...guardCustomPolicy(answer.policy, resourceTypes));
        if (!reasons.length)
          draft = {
            name: slug(request),
            policy: answer.policy.properties ? answer.policy : { properties: answer.policy },
            source: "alias-skeleton",
            recommendedBuiltins: result.retrieval.builtins.map((b) => ({
              id: b.id,
              displayName: b.displayName,
              score: b.score,
              effects: [],
            })),
            notes: [`model rationale: ${answer.rationale.slice(0, 300)}`],
          };
      } else reasons.push("the answer names neither a built-in nor a policy");
    }
    if (draft) {
      const checked = checkDraft(draft, opts.resources ?? [], { now: opts.now });
      if (!checked.validation.valid)
        reasons.push(...checked.validation.errors.slice(0, 8).map((e) => `invalid: ${e.pointer} ${e.message}`));
      else {
        result.draft = checked;
        result.status = "accepted";
        result.reasons = [];
      }
    }
    opts.audit?.({
      action: "llm.output",
      subject: `draft-${sha256(request).slice(0, 12)}`,
      digest: sha256(answerText),
      details: { promptVersion: DRAFT_PROMPT_VERSION, attempt, accepted: result.status === "accepted", reasons },
    });
    if (result.status === "accepted") return result;
  }
  result.reasons = reasons ?? ["refused"];
  opts.audit?.({
    action: "llm.fallback",
    subject: `draft-${sha256(request).slice(0, 12)}`,
    digest: sha256(request),
    details: { reasons: result.reasons },
  });
  return result;
}
