import { createHash } from "node:crypto";
import type { Finding } from "../domain/finding";

/**
 * Payload builders for each sink, pure functions of a finding (or an approval transition). Attacker-controlled
 * strings (resource names, tags, descriptions) are only ever placed in text fields, escaped where the format
 * has markup (Slack mrkdwn), and truncated to the service's limits.
 */

export type Json = Record<string, any>;

/** The parts of a finding a ticket shows; its hash decides whether an existing ticket needs an update. */
export function ticketView(f: Finding) {
  return {
    id: f.id,
    title: `${f.recommendation.name} — ${f.resourceName}`,
    severity: f.recommendation.severity,
    risk: f.risk.score,
    level: f.risk.level,
    status: f.status,
    resourceId: f.resourceId,
    owner: f.owner.email ?? f.owner.name,
    summary: f.explanation.summary,
    impact: f.explanation.businessImpact,
    action: f.explanation.recommendedAction ?? "",
    controls: f.controls.map((c) => `${c.framework} ${c.controlId}`),
    fix: f.remediation.map((r) => ({ kind: r.kind, content: r.content, rollback: r.rollback })),
  };
}
export type TicketView = ReturnType<typeof ticketView>;

export function contentHash(v: unknown): string {
  return createHash("sha256").update(JSON.stringify(v)).digest("hex");
}

export const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const oneLine = (s: string) => s.replace(/[\r\n]+/g, " ").trim();

export function portalUrl(resourceId: string): string {
  return `https://portal.azure.com/#@/resource${resourceId}`;
}

// ---------------------------------------------------------------- ServiceNow (9.3): every value a string

const SNOW_URGENCY: Record<string, string> = { critical: "1", high: "1", medium: "2", low: "3" };
const SNOW_IMPACT: Record<string, string> = { High: "1", Medium: "2", Low: "3" };

export function correlationId(findingId: string): string {
  return `clarion:${findingId}`;
}

function snowDescription(v: TicketView): string {
  const fix = v.fix.find((x) => x.kind === "az-cli") ?? v.fix[0];
  return [
    v.summary,
    "",
    `Business impact: ${v.impact}`,
    `Risk: ${v.risk} (${v.level}); severity ${v.severity}; owner ${v.owner}`,
    `Resource: ${v.resourceId}`,
    v.controls.length ? `Controls: ${v.controls.join(", ")}` : "",
    fix ? `\nProposed fix (${fix.kind}):\n${fix.content}` : "",
  ]
    .filter((x) => x !== "")
    .join("\n");
}

export function serviceNowChange(v: TicketView): Json {
  const fix = v.fix.find((x) => x.kind === "azure-policy") ?? v.fix[0];
  return {
    type: "normal",
    short_description: cut(oneLine(v.title), 160),
    description: snowDescription(v),
    justification: cut(v.impact, 4000),
    implementation_plan: fix ? cut(fix.content, 4000) : "See description.",
    backout_plan: fix ? cut(fix.rollback, 4000) : "Revert the change.",
    test_plan: "Re-run the Defender for Cloud assessment and `clarion findings` for this resource.",
    risk: v.level === "critical" || v.level === "high" ? "2" : v.level === "medium" ? "3" : "4",
    impact: SNOW_IMPACT[v.severity] ?? "3",
    priority: v.level === "critical" ? "1" : v.level === "high" ? "2" : v.level === "medium" ? "3" : "4",
    category: "Security",
    correlation_id: correlationId(v.id),
    correlation_display: "Clarion",
  };
}

export function serviceNowIncident(v: TicketView): Json {
  return {
    short_description: cut(oneLine(v.title), 160),
    description: snowDescription(v),
    category: "Security",
    impact: SNOW_IMPACT[v.severity] ?? "3",
    urgency: SNOW_URGENCY[v.level] ?? "3",
    contact_type: "integration",
    correlation_id: correlationId(v.id),
    correlation_display: "Clarion",
  };
}

/** ServiceNow state code → Clarion ticket status. */
export function serviceNowStatus(table: string, state: string): string {
  if (table === "incident")
    return (
      ({ "1": "new", "2": "in-progress", "3": "on-hold", "6": "resolved", "7": "closed", "8": "canceled" } as Record<string, string>)[
        state
      ] ?? "unknown"
    );
  return (
    (
      {
        "-5": "new",
        "-4": "assess",
        "-3": "authorize",
        "-2": "scheduled",
        "-1": "implement",
        "0": "review",
        "3": "closed",
        "4": "canceled",
      } as Record<string, string>
    )[state] ?? "unknown"
  );
}

// ---------------------------------------------------------------- Jira (10.1): ADF description

const text = (t: string, marks?: Json[]) => ({ type: "text", text: t, ...(marks ? { marks } : {}) });
const para = (...content: Json[]) => ({ type: "paragraph", content: content.filter((c) => c.type !== "text" || c.text) });

export function jiraLabel(findingId: string): string {
  return `clarion-${findingId.toLowerCase().replace(/[^a-z0-9_-]+/g, "-")}`;
}

export function adfDescription(v: TicketView): Json {
  const fix = v.fix.find((x) => x.kind === "az-cli") ?? v.fix[0];
  const content: Json[] = [
    para(text(v.summary || "No summary.")),
    { type: "heading", attrs: { level: 3 }, content: [text("Why it matters")] },
    para(text(v.impact || "Not stated.")),
    {
      type: "bulletList",
      content: [
        `Risk ${v.risk} (${v.level}), severity ${v.severity}`,
        `Owner: ${v.owner}`,
        ...(v.controls.length ? [`Controls: ${v.controls.join(", ")}`] : []),
      ].map((line) => ({ type: "listItem", content: [para(text(line))] })),
    },
    para(text("Resource: "), text(v.resourceId, [{ type: "code" }])),
    para(text("Open in the Azure portal", [{ type: "link", attrs: { href: portalUrl(v.resourceId) } }])),
  ];
  if (fix) {
    content.push({ type: "heading", attrs: { level: 3 }, content: [text(`Proposed fix (${fix.kind})`)] });
    content.push({
      type: "codeBlock",
      attrs: { language: fix.kind === "powershell" ? "powershell" : "bash" },
      content: [text(cut(fix.content, 20000))],
    });
    if (fix.rollback)
      content.push({ type: "panel", attrs: { panelType: "note" }, content: [para(text(`Rollback: ${cut(fix.rollback, 4000)}`))] });
  }
  return { type: "doc", version: 1, content };
}

const JIRA_PRIORITY: Record<string, string> = { critical: "Highest", high: "High", medium: "Medium", low: "Low" };

export function jiraIssueFields(v: TicketView, project: string, issueType = "Task"): Json {
  return {
    project: { key: project },
    issuetype: { name: issueType },
    summary: cut(oneLine(v.title), 250),
    description: adfDescription(v),
    priority: { name: JIRA_PRIORITY[v.level] ?? "Medium" },
    labels: ["clarion", "azure", `severity-${v.severity.toLowerCase()}`, jiraLabel(v.id)],
  };
}

export function jiraStatus(category: string | undefined, name: string | undefined): string {
  if (category === "done") return "resolved";
  if (category === "indeterminate") return "in-progress";
  if (category === "new") return "new";
  return (name ?? "unknown").toLowerCase();
}

// ---------------------------------------------------------------- Teams (11.2): Adaptive Card

export interface NotifyView {
  title: string;
  facts: [string, string][];
  url?: string;
  urlTitle?: string;
  text?: string;
}

export function findingNotice(f: Finding): NotifyView {
  return {
    title: `${f.recommendation.severity} severity: ${f.recommendation.name}`,
    text: f.explanation.summary,
    facts: [
      ["Resource", f.resourceName],
      ["Risk", `${f.risk.score} (${f.risk.level})`],
      ["Owner", f.owner.email ?? f.owner.name],
      ["Environment", f.environment],
    ],
    url: portalUrl(f.resourceId),
    urlTitle: "Open in portal",
  };
}

export function approvalNotice(p: {
  approvalId: string;
  title: string;
  from: string | null;
  to: string;
  actor: string;
  reason: string;
  scope: string;
}): NotifyView {
  return {
    title: `Change ${p.approvalId}: ${p.from ?? "new"} → ${p.to}`,
    text: p.title,
    facts: [
      ["By", p.actor],
      ["Why", p.reason],
      ["Scope", p.scope],
    ],
  };
}

export function teamsMessage(n: NotifyView): Json {
  const body: Json[] = [{ type: "TextBlock", text: cut(n.title, 300), weight: "Bolder", size: "Medium", wrap: true }];
  if (n.text) body.push({ type: "TextBlock", text: cut(n.text, 2000), wrap: true });
  body.push({ type: "FactSet", facts: n.facts.map(([title, value]) => ({ title, value: cut(value, 500) })) });
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body,
          ...(n.url ? { actions: [{ type: "Action.OpenUrl", title: n.urlTitle ?? "Open", url: n.url }] } : {}),
          msteams: { width: "Full" },
        },
      },
    ],
  };
}

// ---------------------------------------------------------------- Slack (12): Block Kit

export function slackEscape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function slackMessage(n: NotifyView): Json {
  const blocks: Json[] = [{ type: "header", text: { type: "plain_text", text: cut(n.title, 150) } }];
  blocks.push({
    type: "section",
    ...(n.text ? { text: { type: "mrkdwn", text: cut(slackEscape(n.text), 3000) } } : {}),
    fields: n.facts.slice(0, 10).map(([k, v]) => ({ type: "mrkdwn", text: cut(`*${slackEscape(k)}*\n${slackEscape(v)}`, 2000) })),
  });
  if (n.url && n.url.length <= 3000)
    blocks.push({
      type: "actions",
      elements: [{ type: "button", text: { type: "plain_text", text: cut(n.urlTitle ?? "Open", 75) }, url: n.url, action_id: "open" }],
    });
  blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: "Clarion • Defender for Cloud" }] });
  return { text: cut(n.title, 3900), blocks, unfurl_links: false, unfurl_media: false };
}
