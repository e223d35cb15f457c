import { readFileSync } from "node:fs";
import YAML from "yaml";
import { z } from "zod";
import { InputError, NotFoundError } from "../domain/errors";
import type { Finding } from "../domain/finding";
import type { Assessment } from "../domain/records";
import type { ArmResource } from "../domain/resource";
import { type FrameworkCatalog, type FrameworkData, type PolicyInfo, policyGuid } from "./catalog";
import { type Exemption, exemptionState } from "./exemptions";
import { frameworkLabel } from "./framework-sources";

/** Everything compliance reads from a run: findings (exemptions applied), all assessments, inventory. */
export interface ComplianceInput {
  findings: Finding[];
  /** Every assessment incl. Healthy; undefined when the run did not record them (passes then unknown). */
  assessments?: Assessment[];
  resources: ArmResource[];
  exemptions: Exemption[];
  now: Date;
}

/** What the organization declared for a framework (`--declared FILE`, YAML or JSON). */
export const DeclaredSchema = z.object({
  framework: z.string().optional(),
  organization: z.string().optional(),
  scope: z.object({ subscriptions: z.array(z.string()).optional() }).optional(),
  /** Controls the organization declared in scope; the rest are reported as out of the declared scope. */
  controls: z.array(z.string()).optional(),
  notApplicable: z.array(z.object({ controlId: z.string(), reason: z.string() })).optional(),
  attestations: z
    .array(
      z.object({ controlId: z.string(), status: z.enum(["passed", "failed"]), evidence: z.string(), by: z.string(), date: z.string() }),
    )
    .optional(),
  /** Policy initiatives (ids or GUIDs) already assigned. */
  assignedInitiatives: z.array(z.string()).optional(),
});
export type Declared = z.infer<typeof DeclaredSchema>;

export function readDeclared(file: string): Declared {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new NotFoundError(`cannot read --declared file ${file}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = file.endsWith(".json") ? JSON.parse(text) : YAML.parse(text);
  } catch (e) {
    throw new InputError(`not valid ${file.endsWith(".json") ? "JSON" : "YAML"}: ${(e as Error).message}`, { file });
  }
  const parsed = DeclaredSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(issue.message, { file, field: issue.path.join(".") });
  }
  return parsed.data;
}

export type ControlStatus = "passed" | "failed" | "not-assessed" | "manual" | "not-applicable" | "exempted" | "out-of-scope";

export interface FailingItem {
  findingId: string;
  resourceId: string;
  resourceName: string;
  resourceType: string;
  subscriptionId: string;
  recommendationId: string;
  recommendation: string;
  severity: string;
  riskScore: number;
  rawStatus: "Unhealthy";
  status: "Unhealthy" | "Exempt";
  firstSeen: string | null;
  statusChangeDate: string | null;
  exemption: Finding["exemption"];
}

export interface PassingItem {
  assessmentId: string;
  resourceId: string;
  recommendationId: string;
  recommendation: string;
  status: "Healthy";
  firstEvaluationDate: string | null;
  statusChangeDate: string | null;
}

export interface ClosingPolicy {
  policyDefinitionId: string;
  name: string;
  effects: string[];
  /** Prevents (deny) or fixes (modify, deployIfNotExists, append) rather than only reports. */
  enforcing: boolean;
  /** Already behind a failing finding of this control. */
  failingHere: boolean;
  assign: string;
}

export interface ControlGap {
  controlId: string;
  title: string | null;
  /** What Defender's data says, before exemptions and attestations. */
  rawStatus: ControlStatus;
  /** After exemptions, declarations and attestations. */
  status: ControlStatus;
  reason: string;
  policies: { automated: number; manual: number };
  failing: FailingItem[];
  passing: PassingItem[];
  attestation?: NonNullable<Declared["attestations"]>[number];
  notApplicableReason?: string;
  /** The built-in initiative and policies that would close the gap (failed, exempted, not assessed). */
  closeWith?: { initiative: { id: string; displayName: string; assigned: boolean; assign: string }; policies: ClosingPolicy[] };
}

export interface GapReport {
  framework: { id: string; name: string; version: string; initiative: FrameworkData["initiative"]; derivedFrom: string };
  generatedAt: string;
  organization?: string;
  scope: { subscriptions: string[] };
  passesKnown: boolean;
  summary: { controls: number; raw: Record<ControlStatus, number>; post: Record<ControlStatus, number> };
  controls: ControlGap[];
  exemptions: { expired: Exemption[]; expiring: Exemption[] };
}

const ENFORCING = new Set(["deny", "modify", "deployifnotexists", "append", "denyaction"]);
const ZERO = (): Record<ControlStatus, number> => ({
  passed: 0,
  failed: 0,
  "not-assessed": 0,
  manual: 0,
  "not-applicable": 0,
  exempted: 0,
  "out-of-scope": 0,
});

/**
 * Gap analysis of one framework: per control passed / failed / not assessed / manual, the failing resources,
 * the passing evidence, and the built-in initiative or policy that would close the gap. Pure.
 */
export function analyzeGaps(
  catalog: FrameworkCatalog,
  frameworkId: string,
  input: ComplianceInput,
  declared: Declared = {},
  opts: { expiringWithinDays?: number } = {},
): GapReport {
  const fw = catalog.get(frameworkId);
  if (!fw)
    throw new NotFoundError(`unknown framework '${frameworkId}'`, { hint: `known: ${catalog.frameworks.map((f) => f.id).join(", ")}` });
  if (declared.framework && declared.framework !== frameworkId)
    throw new InputError(`the declared file is for framework '${declared.framework}', not '${frameworkId}'`, { field: "framework" });

  const scopeSubs = declared.scope?.subscriptions?.map((s) => s.toLowerCase());
  const inScope = (resourceId: string) => !scopeSubs || scopeSubs.includes((resourceId.split("/")[2] ?? "").toLowerCase());
  const allSubs = [
    ...new Set(
      input.resources.filter((r) => r.type.toLowerCase() === "microsoft.resources/subscriptions").map((r) => r.subscriptionId ?? r.name),
    ),
  ]
    .filter((s) => !scopeSubs || scopeSubs.includes(s.toLowerCase()))
    .sort();

  // control -> failing findings / passing assessments
  const failingBy = new Map<string, Finding[]>();
  const keyControls = new Map<string, Set<string>>();
  for (const f of input.findings) {
    if (f.status !== "Unhealthy" || !inScope(f.resourceId)) continue;
    for (const c of f.controls) {
      if (c.framework !== frameworkId) continue;
      push(failingBy, c.controlId, f);
      const set = keyControls.get(f.recommendation.id.toLowerCase()) ?? new Set();
      set.add(c.controlId);
      keyControls.set(f.recommendation.id.toLowerCase(), set);
    }
  }
  const passingBy = new Map<string, Assessment[]>();
  for (const a of input.assessments ?? []) {
    if (a.status !== "Healthy" || !inScope(a.resourceId)) continue;
    const ids = new Set(keyControls.get(a.assessmentKey.toLowerCase()) ?? []);
    for (const c of catalog.controlsForPolicy(a.policyDefinitionId)) if (c.framework === frameworkId) ids.add(c.controlId);
    for (const id of ids) push(passingBy, id, a);
  }

  const policiesByControl = new Map<string, string[]>();
  for (const [guid, ids] of Object.entries(fw.policies)) for (const id of ids) push(policiesByControl, id, guid);
  const assigned = (declared.assignedInitiatives ?? []).map(policyGuid).includes(policyGuid(fw.initiative.id));
  const na = new Map((declared.notApplicable ?? []).map((n) => [n.controlId, n.reason]));
  const attest = new Map((declared.attestations ?? []).map((a) => [a.controlId, a]));
  const declaredControls = declared.controls ? new Set(declared.controls) : undefined;
  for (const id of [...na.keys(), ...attest.keys(), ...(declared.controls ?? [])])
    if (!fw.controls.some((c) => c.controlId === id))
      throw new InputError(`control '${id}' is not a control of ${frameworkId}`, { field: "controlId" });

  const controls: ControlGap[] = fw.controls.map(({ controlId, title }) => {
    const guids = policiesByControl.get(controlId) ?? [];
    const infos = guids.map((g) => [g, catalog.policy(g)] as const);
    const automated = infos.filter(([, i]) => !i || i.kind === "automated");
    const manualCount = guids.length - automated.length;
    const failing = (failingBy.get(controlId) ?? []).map(failingItem).sort((a, b) => b.riskScore - a.riskScore);
    const passing = (passingBy.get(controlId) ?? []).map(passingItem);
    const open = failing.filter((f) => f.status === "Unhealthy");

    let rawStatus: ControlStatus;
    let reason: string;
    if (failing.length) {
      rawStatus = "failed";
      reason = `${failing.length} failing assessment${failing.length === 1 ? "" : "s"} on ${new Set(failing.map((f) => f.resourceId.toLowerCase())).size} resource(s)`;
    } else if (passing.length) {
      rawStatus = "passed";
      reason = `${passing.length} healthy assessment${passing.length === 1 ? "" : "s"}, none failing`;
    } else if (!automated.length) {
      rawStatus = "manual";
      reason = guids.length
        ? `only manual attestation policies (${manualCount}) map to this control`
        : "no built-in policy maps to this control";
    } else {
      rawStatus = "not-assessed";
      reason = input.assessments
        ? `${automated.length} automated polic${automated.length === 1 ? "y maps" : "ies map"} here but no assessment in scope covers them`
        : `no failing finding; passes were not recorded by this run, so the control cannot be shown as passed`;
    }

    let status: ControlStatus = rawStatus;
    let statusReason = reason;
    if (rawStatus === "failed" && !open.length) {
      status = "exempted";
      statusReason = `every failure is covered by an exemption (${[...new Set(failing.map((f) => f.exemption?.id))].join(", ")})`;
    }
    const attestation = attest.get(controlId);
    if (attestation && (status === "manual" || status === "not-assessed")) {
      status = attestation.status;
      statusReason = `attested ${attestation.status} by ${attestation.by} on ${attestation.date}`;
    }
    if (na.has(controlId)) {
      status = "not-applicable";
      statusReason = `declared not applicable: ${na.get(controlId)}`;
    } else if (declaredControls && !declaredControls.has(controlId)) {
      status = "out-of-scope";
      statusReason = "not among the controls the organization declared";
    }

    const gap: ControlGap = {
      controlId,
      title: title ?? null,
      rawStatus,
      status,
      reason: statusReason,
      policies: { automated: automated.length, manual: manualCount },
      failing,
      passing,
      ...(attestation ? { attestation } : {}),
      ...(na.has(controlId) ? { notApplicableReason: na.get(controlId) } : {}),
    };
    if (["failed", "exempted", "not-assessed"].includes(status)) {
      const failingPolicies = new Set(
        open
          .map((f) => input.findings.find((x) => x.id === f.findingId)?.recommendation.policyDefinitionId)
          .filter((x): x is string => !!x)
          .map(policyGuid),
      );
      const failingSubs = [...new Set(open.map((f) => f.subscriptionId))].sort();
      const scope = failingSubs[0] ?? allSubs[0] ?? "<subscription-id>";
      gap.closeWith = {
        initiative: {
          id: fw.initiative.id,
          displayName: fw.initiative.displayName,
          assigned,
          assign: `az policy assignment create --name ${`clarion-${fw.id}`.slice(0, 64)} --display-name "${fw.initiative.displayName}" --policy-set-definition ${policyGuid(fw.initiative.id)} --scope /subscriptions/${scope}`,
        },
        policies: automated
          .map(([guid, info]) => closingPolicy(guid, info, failingPolicies.has(guid), scope))
          .sort(
            (a, b) =>
              Number(b.failingHere) - Number(a.failingHere) || Number(b.enforcing) - Number(a.enforcing) || a.name.localeCompare(b.name),
          )
          .slice(0, 5),
      };
    }
    return gap;
  });

  const raw = ZERO();
  const post = ZERO();
  for (const c of controls) {
    raw[c.rawStatus]++;
    post[c.status]++;
  }
  const within = opts.expiringWithinDays ?? 30;
  return {
    framework: { id: fw.id, name: fw.name, version: fw.version, initiative: fw.initiative, derivedFrom: fw.derivedFrom },
    generatedAt: input.now.toISOString(),
    ...(declared.organization ? { organization: declared.organization } : {}),
    scope: { subscriptions: allSubs },
    passesKnown: !!input.assessments,
    summary: { controls: controls.length, raw, post },
    controls,
    exemptions: {
      expired: input.exemptions.filter((e) => exemptionState(e, input.now, within) === "expired"),
      expiring: input.exemptions.filter((e) => exemptionState(e, input.now, within) === "expiring"),
    },
  };
}

function closingPolicy(guid: string, info: PolicyInfo | undefined, failingHere: boolean, scope: string): ClosingPolicy {
  const effects = info?.effects ?? [];
  const enforcing = effects.some((e) => ENFORCING.has(e));
  const best = effects.find((e) => e === "deny") ?? effects.find((e) => ENFORCING.has(e));
  const name = info?.name ?? guid;
  const params =
    best && info?.effectParameter ? ` --params '${JSON.stringify({ [info.effectParameter]: { value: capitalize(best) } })}'` : "";
  const identity = best && best !== "deny" && best !== "denyaction" ? " --mi-system-assigned --location westeurope" : "";
  return {
    policyDefinitionId: `/providers/Microsoft.Authorization/policyDefinitions/${guid}`,
    name,
    effects,
    enforcing,
    failingHere,
    assign: `az policy assignment create --name clarion-${guid.slice(0, 8)} --display-name "${name.replace(/"/g, "'")}" --policy ${guid} --scope /subscriptions/${scope}${params}${identity}`,
  };
}

const capitalize = (e: string) =>
  ({
    deny: "Deny",
    modify: "Modify",
    deployifnotexists: "DeployIfNotExists",
    append: "Append",
    audit: "Audit",
    auditifnotexists: "AuditIfNotExists",
    denyaction: "DenyAction",
  })[e] ?? e;

function failingItem(f: Finding): FailingItem {
  return {
    findingId: f.id,
    resourceId: f.resourceId,
    resourceName: f.resourceName,
    resourceType: f.resourceType,
    subscriptionId: f.subscriptionId,
    recommendationId: f.recommendation.id,
    recommendation: f.recommendation.name,
    severity: f.recommendation.severity,
    riskScore: f.risk.score,
    rawStatus: "Unhealthy",
    status: f.exemption ? "Exempt" : "Unhealthy",
    firstSeen: f.firstSeen ?? null,
    statusChangeDate: f.statusChangeDate ?? null,
    exemption: f.exemption,
  };
}

function passingItem(a: Assessment): PassingItem {
  return {
    assessmentId: a.id,
    resourceId: a.resourceId,
    recommendationId: a.assessmentKey,
    recommendation: a.displayName,
    status: "Healthy",
    firstEvaluationDate: a.firstEvaluationDate ?? null,
    statusChangeDate: a.statusChangeDate ?? null,
  };
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

// ---------------------------------------------------------------------------------------------------------
// Renderers

export const STATUS_LABEL: Record<ControlStatus, string> = {
  passed: "passed",
  failed: "failed",
  "not-assessed": "not assessed",
  manual: "manual",
  "not-applicable": "not applicable",
  exempted: "exempted",
  "out-of-scope": "out of declared scope",
};

const ORDER: ControlStatus[] = ["failed", "exempted", "not-assessed", "manual", "passed", "not-applicable", "out-of-scope"];

export function sortedControls(r: GapReport): ControlGap[] {
  return [...r.controls].sort(
    (a, b) => ORDER.indexOf(a.status) - ORDER.indexOf(b.status) || a.controlId.localeCompare(b.controlId, "en", { numeric: true }),
  );
}

const mdCell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function renderGapsMarkdown(r: GapReport): string {
  const s = r.summary;
  const lines = [
    `# Gap analysis: ${frameworkLabel(r.framework)} (\`${r.framework.id}\`)`,
    "",
    `Generated ${r.generatedAt}${r.organization ? ` for ${r.organization}` : ""}. Mapping derived from the built-in initiative "${r.framework.initiative.displayName}" (${r.framework.initiative.version}).`,
    `Subscriptions in scope: ${r.scope.subscriptions.join(", ") || "(none)"}.${r.passesKnown ? "" : " Healthy assessments were not recorded for this run: no control can show as passed."}`,
    "",
    "| status | raw (Defender) | after exemptions and declarations |",
    "|---|---|---|",
    ...ORDER.map((k) => `| ${STATUS_LABEL[k]} | ${s.raw[k]} | ${s.post[k]} |`),
    "",
  ];
  if (r.exemptions.expired.length || r.exemptions.expiring.length) {
    lines.push("## Exemptions needing attention", "");
    for (const e of r.exemptions.expired)
      lines.push(`- **expired** ${e.id} (${e.category}, owner ${e.owner}) ended ${e.expiresOn}: ${mdCell(e.justification)}`);
    for (const e of r.exemptions.expiring)
      lines.push(`- expiring ${e.id} (${e.category}, owner ${e.owner}) ends ${e.expiresOn}: ${mdCell(e.justification)}`);
    lines.push("");
  }
  lines.push(
    "## Controls",
    "",
    "| control | title | raw | status | why | failing resources | close with |",
    "|---|---|---|---|---|---|---|",
  );
  for (const c of sortedControls(r)) {
    const res = [...new Set(c.failing.map((f) => `${f.resourceName}${f.status === "Exempt" ? " (exempt)" : ""}`))];
    const close = c.closeWith
      ? c.closeWith.policies[0]
        ? `policy "${c.closeWith.policies[0].name}"${c.closeWith.policies[0].enforcing ? " (enforcing)" : ""}; or initiative "${c.closeWith.initiative.displayName}"${c.closeWith.initiative.assigned ? " (assigned)" : ""}`
        : `initiative "${c.closeWith.initiative.displayName}"`
      : "";
    lines.push(
      `| ${c.controlId} | ${mdCell(c.title ?? "")} | ${STATUS_LABEL[c.rawStatus]} | ${STATUS_LABEL[c.status]} | ${mdCell(c.reason)} | ${mdCell(res.slice(0, 8).join(", "))}${res.length > 8 ? ` +${res.length - 8}` : ""} | ${mdCell(close)} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}

export const escHtml = (s: unknown) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export const BASE_CSS = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1b1f24}
h1{font-size:22px}h2{font-size:18px;margin-top:28px}h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;width:100%;margin:8px 0}th,td{border:1px solid #d0d7de;padding:4px 6px;text-align:left;vertical-align:top;font-size:12px}
th{background:#f6f8fa}code,pre{font:11px ui-monospace,monospace}pre{white-space:pre-wrap;word-break:break-all;background:#f6f8fa;padding:6px}
.s-failed{color:#b42318;font-weight:600}.s-passed{color:#067647;font-weight:600}.s-exempted{color:#b54708;font-weight:600}
.s-not-assessed,.s-manual,.s-not-applicable,.s-out-of-scope{color:#475467}.muted{color:#667085}
h1,h2,h3{page-break-after:avoid}tr{page-break-inside:avoid}
.control{border-top:1px solid #d0d7de;padding-top:6px}`;

export function statusSpan(s: ControlStatus): string {
  return `<span class="s-${s}">${STATUS_LABEL[s]}</span>`;
}

export function renderGapsHtml(r: GapReport): string {
  const s = r.summary;
  const rows = sortedControls(r)
    .map((c) => {
      const res = [...new Set(c.failing.map((f) => `${f.resourceName}${f.status === "Exempt" ? " (exempt)" : ""}`))];
      const close = c.closeWith
        ? `${c.closeWith.policies
            .slice(0, 2)
            .map((p) => `<div>${escHtml(p.name)}${p.enforcing ? " <small>(enforcing)</small>" : ""}<pre>${escHtml(p.assign)}</pre></div>`)
            .join(
              "",
            )}<div class="muted">or initiative ${escHtml(c.closeWith.initiative.displayName)}${c.closeWith.initiative.assigned ? " (assigned)" : ""}</div>`
        : "";
      return `<tr><td>${escHtml(c.controlId)}</td><td>${escHtml(c.title ?? "")}</td><td>${statusSpan(c.rawStatus)}</td><td>${statusSpan(c.status)}</td><td>${escHtml(c.reason)}</td><td>${escHtml(res.slice(0, 10).join(", "))}${res.length > 10 ? ` +${res.length - 10}` : ""}</td><td>${close}</td></tr>`;
    })
    .join("\n");
  const exRows = [
    ...r.exemptions.expired.map((e) => ["expired", e] as const),
    ...r.exemptions.expiring.map((e) => ["expiring", e] as const),
  ]
    .map(
      ([st, e]) =>
        `<tr><td>${st}</td><td>${escHtml(e.id)}</td><td>${escHtml(e.category)}</td><td>${escHtml(e.owner)}</td><td>${escHtml(e.expiresOn)}</td><td>${escHtml(e.justification)}</td></tr>`,
    )
    .join("\n");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Gap analysis ${escHtml(r.framework.id)}</title><style>${BASE_CSS}</style></head><body>
<h1>Gap analysis: ${escHtml(r.framework.name)} ${escHtml(r.framework.version)} <code>${escHtml(r.framework.id)}</code></h1>
<p class="muted">Generated ${escHtml(r.generatedAt)}${r.organization ? ` for ${escHtml(r.organization)}` : ""}. Mapping derived from the built-in initiative “${escHtml(r.framework.initiative.displayName)}”. Subscriptions: ${escHtml(r.scope.subscriptions.join(", "))}.${r.passesKnown ? "" : " Healthy assessments were not recorded for this run: no control can show as passed."}</p>
<table><thead><tr><th>status</th><th>raw (Defender)</th><th>after exemptions and declarations</th></tr></thead><tbody>
${ORDER.map((k) => `<tr><td>${statusSpan(k)}</td><td>${s.raw[k]}</td><td>${s.post[k]}</td></tr>`).join("\n")}
</tbody></table>
${exRows ? `<h2>Exemptions needing attention</h2><table><thead><tr><th>state</th><th>id</th><th>category</th><th>owner</th><th>expires</th><th>justification</th></tr></thead><tbody>${exRows}</tbody></table>` : ""}
<h2>Controls</h2>
<table><thead><tr><th>control</th><th>title</th><th>raw</th><th>status</th><th>why</th><th>failing resources</th><th>close the gap with</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>
`;
}
