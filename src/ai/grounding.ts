/**
 * The grounding check: a model's explanation may state only what the dossier supports. Every citation must be
 * a fact id; every `{{slot}}` must name a fact; every resource name, number, framework, control, e-mail
 * address and URL mentioned must come from the facts; and nothing may claim the finding is resolved, exempt or
 * safe to ignore, carry commands, or repeat an instruction. The result lists each violation in words (they go
 * back to the model for its one retry) and a score: grounded mentions / checked mentions.
 */
export interface GroundingFact {
  id: string;
  value: string;
}

export interface GroundingText {
  summary: string;
  businessImpact: string;
  complianceImpact: string;
  recommendedAction?: string;
}

export interface GroundingOptions {
  /** Resource names in the whole estate (lower-case): naming one that is not in the dossier is a violation. */
  estateNames?: ReadonlySet<string>;
  /** Trusted reference text (the pack's own guidance): numbers it states may be repeated. */
  trustedText?: string;
}

export interface GroundingResult {
  ok: boolean;
  score: number;
  checked: number;
  violations: string[];
}

/** Framework names a text may mention, each with the words a dossier fact must carry for it to be grounded. */
const FRAMEWORKS: { re: RegExp; label: string; keys: string[] }[] = [
  { re: /\bPCI[\s-]?DSS\b/i, label: "PCI DSS", keys: ["pci"] }, // bare "PCI" is a data classification
  { re: /\bNIST\b|\bSP\s?800-\d+/i, label: "NIST", keys: ["nist"] },
  { re: /\bISO(?:\/IEC)?\s?2700\d\b|\bISO\b/i, label: "ISO 27001", keys: ["iso"] },
  { re: /\bCIS\b/, label: "CIS", keys: ["cis"] },
  { re: /\bSOC\s?[12]\b/i, label: "SOC 2", keys: ["soc"] },
  { re: /\bHIPAA\b/i, label: "HIPAA", keys: ["hipaa"] },
  { re: /\bHITRUST\b/i, label: "HITRUST", keys: ["hitrust"] },
  { re: /\bGDPR\b/i, label: "GDPR", keys: ["gdpr"] },
  { re: /\bFedRAMP\b/i, label: "FedRAMP", keys: ["fedramp"] },
  { re: /\bMCSB\b|cloud security benchmark|Azure Security Benchmark/i, label: "MCSB", keys: ["mcsb", "cloud security benchmark"] },
  { re: /\bNIS\s?2\b/i, label: "NIS2", keys: ["nis2", "nis 2"] },
  { re: /\bDORA\b/, label: "DORA", keys: ["dora"] },
  { re: /\bCMMC\b/i, label: "CMMC", keys: ["cmmc"] },
  { re: /\bSOX\b|Sarbanes/i, label: "SOX", keys: ["sox", "sarbanes"] },
  { re: /\bCCPA\b/i, label: "CCPA", keys: ["ccpa"] },
  { re: /\bSWIFT\b/, label: "SWIFT", keys: ["swift"] },
  { re: /\bFFIEC\b/i, label: "FFIEC", keys: ["ffiec"] },
  { re: /\bIRS\s?1075\b/i, label: "IRS 1075", keys: ["irs"] },
];

const NUMBER = /\d+(?:[.,:]\d+)*/g;
const CONTROL =
  /\b(?:[A-Z]{2,3}-\d{1,2}(?:\s?\(\d{1,2}\))?|A\.\d{1,2}(?:\.\d{1,2}){1,2}|CC\d(?:\.\d{1,2})?|[A-Z]{2,3}\.\d{1,2}(?:\.\d{1,2})?)\b/g;
const URL = /\bhttps?:\/\/\S+|\bwww\.[a-z0-9-]+\.[a-z]{2,}\S*/gi;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/** Azure-style names: letters and digits joined by dashes, or letters followed by digits. */
const NAME_LIKE = /\b[a-z][a-z0-9]*(?:[-_][a-z0-9]+)+\b|\b[a-z]{2,}[a-z0-9]*\d[a-z0-9]*\b/gi;
const PLACEHOLDER = /\{\{\s*([^{}\s]+)\s*\}\}/g;

const UNSAFE: { re: RegExp; why: string }[] = [
  { re: /```|<\/?script|<\/?[a-z]+[^>]*>/i, why: "markup or a code block" },
  { re: /(^|[\s(`'"])(az|azcopy|kubectl|curl|wget|powershell|pwsh|bash|sudo|rm|terraform|iex)\s+[-a-z]/i, why: "a command" },
  { re: /\b(Remove|Set|New|Update|Invoke|Disable)-Az[A-Za-z]+/, why: "a command" },
  {
    re: /\b(is|are|was|now|been|be|marked?|considered|treat(ed)? as)\s+(already\s+|fully\s+|now\s+)?(compliant|resolved|remediated|exempt(ed)?|a false positive)\b/i,
    why: "a claim that the finding is resolved or exempt",
  },
  {
    re: /\b(safe to ignore|no action (is )?(needed|required)|can be ignored|ignore this (finding|recommendation)|nothing to do)\b/i,
    why: "a claim that nothing needs doing",
  },
  {
    re: /\b(ignore|disregard|forget)\s+(all\s+|any\s+|the\s+)?(previous|prior|above|earlier|system|these)\b/i,
    why: "repeated instructions",
  },
  {
    re: /\b(disable|turn off|remove|delete|suspend)\s+(the\s+|this\s+|all\s+)?(polic(y|ies)|defender|monitoring|logging|alerts?|assignment|recommendation)\b/i,
    why: "advice to weaken controls",
  },
  { re: /\b(grant|create|add|request)\s+(an?\s+)?(exemption|waiver)\b/i, why: "advice to exempt" },
  {
    re: /\b(set|change|switch|lower)\b[^.]{0,40}\beffect\b[^.]{0,20}\b(disabled|audit|none)\b/i,
    why: "advice to weaken a policy's effect",
  },
  {
    re: /\b(deploy|assign|apply|roll out)\b[^.]{0,40}\b(all|every)\s+(subscriptions?|resources?|management groups?)\b/i,
    why: "advice to widen a policy's scope",
  },
  {
    re: /[$€£]\s?\d|\b\d[\d,.]*\s?(dollars|euros?|pounds|usd|eur|gbp)\b|\b(fines?|penalt(y|ies)|cost(s)?)\s+(of|up to|would be|would cost)?\s*\d/i,
    why: "a monetary figure (no fact states one)",
  },
  { re: /\b(system prompt|as an ai|language model|jailbreak)\b/i, why: "talk about the model or its prompt" },
  {
    re: /\b(low|no|minimal|negligible|zero|acceptable)\s+risk\b|\brisk (is|was) (low|minimal|negligible|acceptable)\b/i,
    why: "a risk rating (ratings come from the risk model, not from text)",
  },
];

function uniq<T>(xs: Iterable<T>): T[] {
  return [...new Set(xs)];
}

export function checkGrounding(
  text: GroundingText,
  citations: string[],
  facts: GroundingFact[],
  opts: GroundingOptions = {},
): GroundingResult {
  const ids = new Set(facts.map((f) => f.id));
  const vocab = `${facts.map((f) => `${f.id} ${f.value}`).join("\n")}`.toLowerCase();
  // Frameworks and controls are grounded only by the mapping; resource names only by facts that name
  // resources (never by a tag, an owner or a status text, which whoever controls the resource writes).
  const mapping = facts
    .filter((f) => /^(framework|control)\./.test(f.id))
    .map((f) => `${f.id} ${f.value}`)
    .join("\n")
    .toLowerCase();
  const names = facts
    .filter((f) => !/^(tag\.|owner$|status\.|recommendation$|env$)/.test(f.id))
    .map((f) => `${f.id} ${f.value}`)
    .join("\n")
    .toLowerCase();
  const vocabNumbers = new Set<string>();
  for (const src of [vocab, (opts.trustedText ?? "").toLowerCase()])
    for (const m of src.matchAll(NUMBER)) {
      vocabNumbers.add(m[0]);
      for (const part of m[0].split(/[.,:]/)) vocabNumbers.add(part);
    }
  const violations: string[] = [];
  let checked = 0;
  const fail = (v: string) => violations.push(v);

  for (const c of uniq(citations)) {
    checked++;
    if (!ids.has(c)) fail(`citation "${c}" is not a fact id in the dossier`);
  }
  const fields = Object.entries(text).filter(([, v]) => typeof v === "string") as [string, string][];
  for (const [field, raw] of fields) {
    for (const m of raw.matchAll(PLACEHOLDER)) {
      checked++;
      if (!ids.has(m[1])) fail(`${field}: placeholder {{${m[1]}}} names no fact`);
    }
    const s = raw.replace(PLACEHOLDER, " ");
    for (const u of UNSAFE)
      if (u.re.test(s)) {
        checked++;
        fail(`${field}: contains ${u.why}`);
      }
    for (const m of s.match(URL) ?? []) {
      checked++;
      fail(`${field}: URL "${m}" (explanations carry no links)`);
    }
    const noUrl = s.replace(URL, " ");
    for (const m of noUrl.match(EMAIL) ?? []) {
      checked++;
      if (!vocab.includes(m.toLowerCase())) fail(`${field}: e-mail address "${m}" is not in the dossier`);
    }
    const plain = noUrl.replace(EMAIL, " ");
    for (const fw of FRAMEWORKS)
      if (fw.re.test(plain)) {
        checked++;
        if (!fw.keys.some((k) => mapping.includes(k))) fail(`${field}: framework ${fw.label} is not among the dossier's mapped frameworks`);
      }
    for (const m of uniq(plain.match(CONTROL) ?? [])) {
      checked++;
      const norm = m.replace(/\s+/g, "").toLowerCase();
      if (!mapping.includes(norm)) fail(`${field}: control ${m} is not in the dossier`);
    }
    const noControls = plain.replace(CONTROL, " ");
    for (const m of uniq(noControls.match(NUMBER) ?? [])) {
      checked++;
      if (!vocabNumbers.has(m.toLowerCase())) fail(`${field}: the number ${m} is not stated by any fact`);
    }
    const candidates = uniq([
      ...(noControls.match(NAME_LIKE) ?? []),
      ...(opts.estateNames?.size
        ? (noControls.match(/[A-Za-z0-9][A-Za-z0-9_-]*[A-Za-z0-9]/g) ?? []).filter((w) => opts.estateNames?.has(w.toLowerCase()))
        : []),
    ]);
    for (const m of candidates) {
      const low = m.toLowerCase();
      const known = opts.estateNames?.has(low) ?? false;
      if (!known && !/\d/.test(low)) continue;
      checked++;
      if (!names.includes(low)) fail(`${field}: "${m}" looks like a resource name that is not in the dossier`);
    }
  }
  return { ok: violations.length === 0, score: checked ? (checked - violations.length) / checked : 1, checked, violations };
}
