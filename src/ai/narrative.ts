import { createHash } from "node:crypto";
import type { Citation, Fact } from "../domain/finding";
import type { Pack } from "../packs/schema";
import type { AiStore } from "./ai-store";
import { checkGrounding, type GroundingFact } from "./grounding";
import { type Explanation, quoteValue } from "./offline-engine";
import type { PlaybookIndex } from "./playbooks";
import {
  type DataFact,
  NARRATIVE_PROMPT_VERSION,
  type Narrative,
  type NarrativePayload,
  NarrativeSchema,
  narrativeMessages,
  parseJsonObject,
} from "./prompts";
import { type CompletionResult, countMessageTokens, type LlmProvider } from "./provider";
import type { Redactor } from "./redact";
import type { UsageMeter } from "./usage";

/**
 * Narratives with slots: findings are grouped by (pack, context class) and the model is asked once per group.
 * The context class is everything the text may state literally — resource type, recommendation, environment,
 * data classification, criticality, mapped controls and frameworks, retrieved playbook sections — plus which
 * per-resource facts exist (name, owner, exposure, first alert, attack path, recent change…). Per-resource
 * facts reach the model only as `{{slot}}` placeholders; Clarion fills each finding's own values locally.
 * So every member of a group shares the exact facts the template was grounded against, the prompt never holds
 * a single resource's name, and the cost grows with the number of classes, not findings.
 */
export interface FindingLike {
  id: string;
  recommendation: { id: string; name: string; packId?: string | null };
  dossier?: Fact[];
  explanation: Explanation;
}

export type AuditSink = (e: {
  action: "llm.prompt" | "llm.output" | "llm.fallback";
  subject: string;
  digest: string;
  details: Record<string, unknown>;
}) => void;

const CLASS_IDS = new Set(["resource.typeLabel", "recommendation", "env", "tag.dataClassification", "tag.criticality"]);
const SOURCED_PREFIX = /^(control|framework|playbook)\./;
const NUMBERED: Record<string, number> = { alert: 2, kev: 2, path: 1, change: 1 };
/** Per-resource slots offered to every group, present or not, so a group's prompt never depends on its members. */
export const FIXED_SLOTS = [
  "resource.name",
  "resource.id",
  "status.reason",
  "tag.application",
  "owner",
  "exposure.internet",
  "alert.1",
  "alert.2",
  "kev.1",
  "kev.2",
  "path.1",
  "change.1",
  "secureScore.control",
];
const FIXED = new Set(FIXED_SLOTS);
/** Always present in an enriched finding's dossier. */
const REQUIRED_SLOTS = new Set(["resource.name", "resource.id"]);

export const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

export function isClassFact(id: string): boolean {
  return CLASS_IDS.has(id) || SOURCED_PREFIX.test(id);
}

/** Splits a dossier into literal (class) facts and per-resource slots (`alert.<guid>` → slot `alert.1`). */
export function slotView(dossier: Fact[]): { literal: Fact[]; slots: Map<string, Fact> } {
  const literal: Fact[] = [];
  const slots = new Map<string, Fact>();
  const counters: Record<string, number> = {};
  for (const f of dossier) {
    if (isClassFact(f.id)) {
      literal.push(f);
      continue;
    }
    const prefix = f.id.slice(0, f.id.indexOf("."));
    if (prefix in NUMBERED) {
      const n = (counters[prefix] ?? 0) + 1;
      counters[prefix] = n;
      if (n <= NUMBERED[prefix]) slots.set(`${prefix}.${n}`, f);
      continue;
    }
    if (!slots.has(f.id)) slots.set(f.id, f);
  }
  return { literal, slots };
}

export interface Group {
  key: string;
  /** Short id for audit subjects. */
  id: string;
  packId: string | null;
  payload: NarrativePayload;
  literalFacts: Fact[];
  slotIds: string[];
  members: number;
  playbookFacts: Fact[];
}

export type GroupOutcome =
  | { kind: "model"; narrative: Narrative; score: number; cached: boolean }
  | { kind: "fallback"; reason: string; violations?: string[]; cached: boolean };

export interface NarrativeEngineOptions {
  provider: LlmProvider;
  meter: UsageMeter;
  store?: AiStore;
  useCache?: boolean;
  redact: Redactor;
  packsById?: Map<string, Pack>;
  playbooks?: PlaybookIndex;
  estateNames?: ReadonlySet<string>;
  audit?: AuditSink;
  concurrency?: number;
  maxOutputTokens?: number;
}

/** Plans groups, asks the model once per group (cache first), then fills each finding's explanation. */
export class NarrativeEngine {
  readonly groups = new Map<string, Group>();
  readonly outcomes = new Map<string, GroupOutcome>();
  constructor(private readonly o: NarrativeEngineOptions) {}

  /** The group key of a finding (adds the group on first sight). */
  plan(f: FindingLike): string {
    const { key, literal, extra, packId } = this.classOf(f);
    const g = this.groups.get(key);
    if (g) {
      g.members++;
      return key;
    }
    this.groups.set(key, this.buildGroup(key, f, packId, literal, [...FIXED_SLOTS, ...extra]));
    return key;
  }

  /** The group key of a finding, without adding it. */
  keyOf(f: FindingLike): string {
    return this.classOf(f).key;
  }

  private classOf(f: FindingLike) {
    const { literal, slots } = slotView(f.dossier ?? []);
    const packId = f.recommendation.packId ?? null;
    const extra = [...slots.keys()].filter((k) => !FIXED.has(k));
    const sig = [
      packId ?? `rec:${f.recommendation.id}`,
      ...literal.map((x) => `${x.id}=${x.value}${SOURCED_PREFIX.test(x.id) ? `|${x.source}` : ""}`),
      "--",
      ...extra,
    ].join("\n");
    return { key: sha256(sig), literal, extra, packId };
  }

  private buildGroup(key: string, f: FindingLike, packId: string | null, literal: Fact[], slotIds: string[]): Group {
    const r = this.o.redact;
    const pack = packId ? this.o.packsById?.get(packId) : undefined;
    const typeLabel = literal.find((x) => x.id === "resource.typeLabel")?.value ?? "";
    const recommendation = literal.find((x) => x.id === "recommendation")?.value ?? f.recommendation.name;
    const playbookFacts = this.o.playbooks ? this.o.playbooks.factsFor(`${recommendation} ${pack?.meta.title ?? ""} ${typeLabel}`) : [];
    const facts: DataFact[] = [
      ...[...literal, ...playbookFacts].map((x) =>
        SOURCED_PREFIX.test(x.id) ? { id: x.id, value: r(x.value), source: r(x.source) } : { id: x.id, value: r(x.value), source: "class" },
      ),
      ...slotIds.map((id) =>
        REQUIRED_SLOTS.has(id)
          ? { id, value: `{{${id}}}`, source: "per finding", slot: true }
          : { id, value: `{{${id}}}`, source: "per finding", slot: true, optional: true },
      ),
    ];
    const guidance = pack ? Object.fromEntries(Object.entries(pack.explain).map(([k, v]) => [k, r(v)])) : undefined;
    const payload: NarrativePayload = { task: "explain-finding-group", recommendation: r(recommendation), guidance, facts, findings: 0 };
    return { key, id: `group-${key.slice(0, 12)}`, packId, payload, literalFacts: literal, slotIds, members: 1, playbookFacts };
  }

  /** Asks for every group not yet resolved (cache first, then the model), `concurrency` at a time. */
  async resolveAll(onProgress?: (done: number, total: number) => void): Promise<void> {
    const pending = [...this.groups.values()].filter((g) => !this.outcomes.has(g.key));
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < pending.length) {
        const g = pending[next++];
        this.outcomes.set(g.key, await this.resolve(g));
        onProgress?.(++done, pending.length);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.o.concurrency ?? 4) }, worker));
  }

  private cacheKey(g: Group): string {
    // The member count is left out: adding a finding to a class must not invalidate its narrative.
    return sha256(`${NARRATIVE_PROMPT_VERSION}\n${this.o.provider.kind}\n${this.o.provider.model}\n${JSON.stringify(g.payload)}`);
  }

  private groundingFacts(g: Group): GroundingFact[] {
    return [...g.literalFacts, ...g.playbookFacts, ...g.slotIds.map((id) => ({ id, value: "" }))];
  }

  async resolve(g: Group): Promise<GroupOutcome> {
    const { meter, audit } = this.o;
    meter.report.groups++;
    const key = this.cacheKey(g);
    const useCache = this.o.useCache !== false && this.o.store;
    if (useCache) {
      const hit = await this.o.store?.cacheGet(key);
      if (hit) {
        meter.report.cacheHits++;
        const v = JSON.parse(hit) as GroupOutcome;
        return { ...v, cached: true } as GroupOutcome;
      }
    }
    const trustedText = g.payload.guidance ? Object.values(g.payload.guidance).join("\n") : undefined;
    let violations: string[] | undefined;
    let lastScore = 0;
    for (let attempt = 1; attempt <= 2; attempt++) {
      const payload = { ...g.payload, findings: g.members };
      const messages = narrativeMessages(payload, violations);
      const estimate = countMessageTokens(messages);
      if (!meter.allow(estimate, this.o.maxOutputTokens ?? 700)) return { kind: "fallback", reason: "budget", cached: false };
      audit?.({
        action: "llm.prompt",
        subject: g.id,
        digest: sha256(JSON.stringify(messages)),
        details: {
          promptVersion: NARRATIVE_PROMPT_VERSION,
          provider: this.o.provider.kind,
          model: this.o.provider.model,
          attempt,
          estimatedTokens: estimate,
          findings: g.members,
          pack: g.packId,
        },
      });
      let res: CompletionResult;
      try {
        res = await this.o.provider.complete({ messages, maxTokens: this.o.maxOutputTokens });
      } catch (e) {
        const reason = `provider error: ${(e as Error).message}`;
        audit?.({ action: "llm.fallback", subject: g.id, digest: sha256(reason), details: { reason, findings: g.members } });
        return { kind: "fallback", reason, cached: false };
      }
      meter.record(res.promptTokens, res.completionTokens, res.attempts);
      let narrative: Narrative | undefined;
      try {
        const parsed = NarrativeSchema.safeParse(parseJsonObject(res.text));
        if (parsed.success) narrative = parsed.data;
        else violations = parsed.error.issues.slice(0, 8).map((i) => `schema: ${i.path.join(".") || "(root)"}: ${i.message}`);
      } catch (e) {
        violations = [`the answer is not one JSON object (${(e as Error).message})`];
      }
      if (narrative) {
        const check = checkGrounding(narrative, narrative.citations, this.groundingFacts(g), {
          estateNames: this.o.estateNames,
          trustedText,
        });
        lastScore = check.score;
        violations = check.ok ? undefined : check.violations;
        if (check.ok && narrative.citations.length === 0) violations = ["citations: cite the fact ids your statements rest on"];
      }
      audit?.({
        action: "llm.output",
        subject: g.id,
        digest: sha256(res.text),
        details: {
          promptVersion: NARRATIVE_PROMPT_VERSION,
          model: res.model,
          attempt,
          valid: !!narrative,
          grounded: !violations,
          grounding: lastScore,
          violations: violations?.slice(0, 10),
          promptTokens: res.promptTokens,
          completionTokens: res.completionTokens,
          usageSource: res.usageSource,
        },
      });
      if (narrative && !violations) {
        const out: GroupOutcome = { kind: "model", narrative, score: lastScore, cached: false };
        if (useCache) await this.o.store?.cachePut(key, JSON.stringify(out), this.o.provider.model);
        return out;
      }
    }
    const out: GroupOutcome = { kind: "fallback", reason: "grounding", violations, cached: false };
    audit?.({
      action: "llm.fallback",
      subject: g.id,
      digest: sha256(JSON.stringify(violations)),
      details: { reason: "failed the schema or grounding check twice", violations: violations?.slice(0, 10), findings: g.members },
    });
    if (useCache) await this.o.store?.cachePut(key, JSON.stringify(out), this.o.provider.model);
    return out;
  }

  /**
   * The finding's explanation: the group's narrative with this finding's values, or its offline explanation
   * when the group fell back or a slot cannot be filled. Returns the playbook facts to add to the dossier.
   */
  fill(f: FindingLike, key: string = this.keyOf(f)): { explanation: Explanation; model: boolean; addFacts: Fact[]; reason?: string } {
    const g = this.groups.get(key);
    const outcome = this.outcomes.get(key);
    if (!g || !outcome || outcome.kind === "fallback")
      return {
        explanation: f.explanation,
        model: false,
        addFacts: [],
        reason: outcome?.kind === "fallback" ? outcome.reason : "unresolved",
      };
    const { slots } = slotView(f.dossier ?? []);
    const byId = new Map<string, Fact>((f.dossier ?? []).map((x) => [x.id, x]));
    for (const p of g.playbookFacts) byId.set(p.id, p);
    let missing: string | undefined;
    const resolveFact = (id: string): Fact | undefined => slots.get(id) ?? byId.get(id);
    const optional = new Set(g.slotIds.filter((id) => !REQUIRED_SLOTS.has(id)));
    // A sentence that uses an optional slot this finding lacks is dropped; any other gap is a failure.
    const fillText = (t: string) =>
      t
        .split(/(?<=[.!?])\s+/)
        .filter((sentence) => [...sentence.matchAll(/\{\{\s*([^{}\s]+)\s*\}\}/g)].every((m) => resolveFact(m[1]) || !optional.has(m[1])))
        .join(" ")
        .replace(/\{\{\s*([^{}\s]+)\s*\}\}/g, (_, id: string) => {
          const fact = resolveFact(id);
          if (!fact) {
            missing = id;
            return "";
          }
          return quoteValue(fact.value, 160);
        });
    const n = outcome.narrative;
    const text = {
      summary: fillText(n.summary),
      businessImpact: fillText(n.businessImpact),
      complianceImpact: fillText(n.complianceImpact),
      recommendedAction: fillText(n.recommendedAction),
    };
    const citations: Citation[] = [];
    const seen = new Set<string>();
    for (const c of n.citations) {
      const fact = resolveFact(c);
      if (!fact && optional.has(c)) continue;
      if (!fact) missing ??= c;
      else if (!seen.has(fact.id)) {
        seen.add(fact.id);
        citations.push({ factId: fact.id, value: fact.value, source: fact.source });
      }
    }
    if (!missing && !(text.summary && text.businessImpact && text.complianceImpact && text.recommendedAction))
      missing = "(a field left empty)";
    if (missing) {
      this.o.audit?.({
        action: "llm.fallback",
        subject: f.id,
        digest: sha256(missing),
        details: { reason: `fact ${missing} is not in this finding's dossier`, group: g.id },
      });
      return { explanation: f.explanation, model: false, addFacts: [], reason: "slot" };
    }
    const addFacts = g.playbookFacts.filter((p) => seen.has(p.id) && !(f.dossier ?? []).some((x) => x.id === p.id));
    return {
      explanation: {
        ...text,
        citations,
        engine: NARRATIVE_PROMPT_VERSION,
        model: this.o.provider.model,
        grounding: Math.round(outcome.score * 1000) / 1000,
      },
      model: true,
      addFacts,
    };
  }
}
