import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import { whatIf } from "../../src/policy";
import { makeSelfSignedCert, type SelfSignedCert } from "../cert";
import { closeNow, listenOnLoopback } from "../loopback";

/**
 * A local HTTPS simulator of the WRITE-side APIs Clarion delivers to and deploys through
 * (docs/api-contracts.md sections 3, 4, 9, 10, 11, 12 and Appendix B):
 *
 * | prefix | service |
 * |---|---|
 * | `/subscriptions/...`, `/providers/Microsoft.Management/...` | ARM: policy definitions, assignments (PUT/GET/DELETE, 201), exemptions, PolicyInsights remediations, generic resource GET/PATCH |
 * | `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.OperationalInsights/workspaces/{ws}/providers/Microsoft.SecurityInsights/incidents[/{id}]` | Sentinel incidents (section 7): PUT 201/200 with etag, GET, DELETE, list with `nextLink` |
 * | `/ingest/dataCollectionRules/{dcr}/streams/{stream}` | Logs Ingestion API (204, ≤ 1 MB, JSON array, bearer token) |
 * | `/servicenow/api/now/table/{table}[/{sys_id}]` | ServiceNow Table API (Basic auth, string values, correlation_id queries) |
 * | `/jira/rest/api/3/...` | Jira Cloud v3 (ADF descriptions, search/jql, 204 updates, transitions) |
 * | `/teams/workflows/{id}/triggers/manual/paths/invoke` | Teams Workflows webhook (Adaptive Card, 202, ≤ 28 KB) |
 * | `/slack/services/{T}/{B}/{X}` | Slack incoming webhook (Block Kit, plain-text `ok`) |
 * | `/webhook/{name}` | generic webhook signed with HMAC-SHA256 |
 *
 * Contract violations answer the service's own error shape, so a client that drifts from the contract fails
 * its test. Faults: `setDown(true)` answers 503 everywhere; `dropAfterCommit(n)` commits the next n writes
 * and then kills the socket before answering (the "did it land?" case that idempotency keys exist for);
 * `throttle(n, seconds)` answers the next n ARM requests 429 with `Retry-After` (section 0.3).
 */

export interface SinkSimulatorOptions {
  cert?: SelfSignedCert;
  /** Bearer token accepted by ARM and Logs Ingestion (default `clarion-simulator-token`). */
  token?: string;
  serviceNow?: { user: string; password: string };
  jira?: { email: string; apiToken: string };
  /** Shared secret of the generic webhook. */
  webhookSecret?: string;
  /** The DCR immutable id accepted by the ingestion endpoint. */
  dcrImmutableId?: string;
  /** Columns the ingestion stream declares (extra keys are dropped, as the service does). */
  streamColumns?: string[];
  /** Streams the DCR declares (default: `Custom-AI_CSPMRecommendations_CL` only); another answers 404 InvalidStream. */
  streams?: string[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
  status: number;
}

type Json = Record<string, any>;
type Out = { status: number; body?: unknown; headers?: Record<string, string> };

export interface SinkState {
  serviceNow: Record<string, Json[]>;
  jira: Json[];
  teams: Json[];
  slack: Json[];
  ingested: { dcr: string; stream: string; rows: Json[] }[];
  webhooks: { name: string; deliveryId: string; body: Json }[];
  definitions: Map<string, Json>;
  assignments: Map<string, Json>;
  exemptions: Map<string, Json>;
  remediations: Map<string, Json>;
  roleAssignments: Map<string, Json>;
  /** ARM resources the remediation tasks act on (keyed by lower-case id). */
  resources: Map<string, Json>;
  /** Sentinel incidents (keyed by lower-case ARM id), as GET returns them. */
  incidents: Map<string, Json>;
}

class Fail extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

const armError = (status: number, code: string, message: string) => new Fail(status, { error: { code, message } });
const snowError = (status: number, message: string, detail: string) => new Fail(status, { error: { message, detail }, status: "failure" });
const jiraError = (status: number, errorMessages: string[], errors: Record<string, string> = {}) =>
  new Fail(status, { errorMessages, errors });

const API = {
  definitions: "2023-04-01",
  assignments: "2023-04-01",
  exemptions: "2022-07-01-preview",
  remediations: "2021-10-01",
  roleAssignments: "2022-04-01",
  ingestion: "2023-01-01",
  securityInsights: "2024-09-01",
};

const INCIDENT_SEVERITIES = ["High", "Medium", "Low", "Informational"];
const INCIDENT_STATUSES = ["New", "Active", "Closed"];
const INCIDENT_CLASSIFICATIONS = ["Undetermined", "TruePositive", "BenignPositive", "FalsePositive"];
const INCIDENT_CLASSIFICATION_REASONS = ["SuspiciousActivity", "SuspiciousButExpected", "IncorrectAlertLogic", "InaccurateData"];
const INCIDENT_LABEL_TYPES = ["User", "AutoAssigned"];
const INCIDENT_OWNER_TYPES = ["Unknown", "User", "Group"];
/** Read-only incident properties: ignored in a request, as ARM does. */
const INCIDENT_READ_ONLY = [
  "incidentNumber",
  "incidentUrl",
  "createdTimeUtc",
  "lastModifiedTimeUtc",
  "relatedAnalyticRuleIds",
  "additionalData",
  "providerIncidentUrl",
];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const ADF_BLOCKS = new Set([
  "paragraph",
  "heading",
  "bulletList",
  "orderedList",
  "listItem",
  "codeBlock",
  "blockquote",
  "rule",
  "panel",
  "table",
  "tableRow",
  "tableHeader",
  "tableCell",
]);
const ADF_INLINE = new Set(["text", "hardBreak", "mention", "emoji", "inlineCard"]);
const ADF_MARKS = new Set(["strong", "em", "code", "strike", "underline", "link", "textColor", "subsup"]);
const JIRA_PRIORITIES = new Set(["Highest", "High", "Medium", "Low", "Lowest"]);
const SNOW_TABLES = new Set(["change_request", "incident"]);

export class SinkSimulator {
  readonly cert: SelfSignedCert;
  readonly token: string;
  readonly opts: Required<Omit<SinkSimulatorOptions, "cert" | "token" | "streamColumns">> & { streamColumns?: string[] };
  readonly requests: RecordedRequest[] = [];
  /** Test hook: runs before each request is answered (e.g. to change state between a client's read and its write). */
  onRequest?: (r: RecordedRequest) => void;
  state: SinkState = SinkSimulator.emptyState();
  url = "";
  private server?: Server;
  private down = false;
  private drops = 0;
  private throttles = 0;
  private throttleSeconds = 1;
  private incidentSeq = 4100;
  private snowSeq = { change_request: 30000, incident: 10000 } as Record<string, number>;
  private jiraSeq = 10000;

  constructor(opts: SinkSimulatorOptions = {}) {
    this.cert = opts.cert ?? makeSelfSignedCert();
    this.token = opts.token ?? "clarion-simulator-token";
    this.opts = {
      serviceNow: opts.serviceNow ?? { user: "clarion.integration", password: "sim-password" },
      jira: opts.jira ?? { email: "clarion@example.com", apiToken: "sim-api-token" },
      webhookSecret: opts.webhookSecret ?? "sim-webhook-secret",
      dcrImmutableId: opts.dcrImmutableId ?? `dcr-${"0123456789abcdef".repeat(2)}`,
      streamColumns: opts.streamColumns,
      streams: opts.streams ?? ["Custom-AI_CSPMRecommendations_CL"],
    };
  }

  static emptyState(): SinkState {
    return {
      serviceNow: { change_request: [], incident: [] },
      jira: [],
      teams: [],
      slack: [],
      ingested: [],
      webhooks: [],
      definitions: new Map(),
      assignments: new Map(),
      exemptions: new Map(),
      remediations: new Map(),
      roleAssignments: new Map(),
      resources: new Map(),
      incidents: new Map(),
    };
  }

  /** Back to a fresh service between tests: empty state, up, no planned drops or throttling, no requests recorded. */
  reset(): void {
    this.state = SinkSimulator.emptyState();
    this.down = false;
    this.drops = 0;
    this.throttles = 0;
    this.requests.length = 0;
  }

  /** Answers 503 to everything while down. */
  setDown(down: boolean): void {
    this.down = down;
  }

  /** The next `n` write requests are committed, then the connection is destroyed without an answer. */
  dropAfterCommit(n: number): void {
    this.drops = n;
  }

  /** The next `n` ARM requests answer 429 with `Retry-After: seconds` and the throttling headers of section 0.3. */
  throttle(n: number, seconds = 1): void {
    this.throttles = n;
    this.throttleSeconds = seconds;
  }

  /** Seeds the ARM resources remediation tasks and rollbacks act on. */
  setResources(resources: Json[]): void {
    this.state.resources = new Map(resources.map((r) => [String(r.id).toLowerCase(), structuredClone(r)]));
  }

  resource(id: string): Json | undefined {
    return this.state.resources.get(id.toLowerCase());
  }

  /** Base URLs the clients are configured with. */
  get endpoints() {
    return {
      arm: this.url,
      ingestion: `${this.url}/ingest`,
      serviceNow: `${this.url}/servicenow`,
      jira: `${this.url}/jira`,
      teams: `${this.url}/teams/workflows/${"a1b2c3d4e5f6"}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=simsig`,
      slack: `${this.url}/slack/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX`,
      webhook: `${this.url}/webhook/clarion`,
    };
  }

  async start(): Promise<string> {
    this.server = createServer({ key: this.cert.key, cert: this.cert.cert }, (req, res) => {
      this.handle(req, res).catch((e) => {
        if (!res.headersSent) this.reply(res, 500, { error: { code: "InternalServerError", message: String((e as Error)?.message ?? e) } });
      });
    });
    this.url = await listenOnLoopback(this.server);
    return this.url;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    await closeNow(s);
  }

  // ------------------------------------------------------------------ plumbing

  private reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.writableEnded || res.destroyed) return;
    const text = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
    const type = typeof body === "string" ? "text/plain; charset=utf-8" : "application/json; charset=utf-8";
    res.writeHead(status, { "content-type": type, "x-ms-request-id": randomUUID(), ...headers });
    res.end(text);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? "/", "https://localhost");
    const raw = await readBody(req);
    const method = (req.method ?? "GET").toUpperCase();
    const query = Object.fromEntries(u.searchParams);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : String(v ?? "")]));
    let body: unknown;
    const rec: RecordedRequest = { method, path: u.pathname, query, headers, body: undefined, status: 0 };
    this.requests.push(rec);
    const done = (status: number, out: unknown, h: Record<string, string> = {}) => {
      rec.status = status;
      if (this.drops > 0 && method !== "GET" && status < 300) {
        this.drops--;
        rec.status = -1;
        res.destroy();
        return;
      }
      this.reply(res, status, out, h);
    };
    try {
      if (this.down)
        throw new Fail(
          503,
          u.pathname.startsWith("/slack")
            ? "service_unavailable"
            : { error: { code: "ServiceUnavailable", message: "The service is temporarily unavailable." } },
          { "retry-after": "1" },
        );
      const p0 = u.pathname;
      if (this.throttles > 0 && (p0.startsWith("/subscriptions/") || p0.startsWith("/providers/"))) {
        this.throttles--;
        throw new Fail(
          429,
          {
            error: {
              code: "SubscriptionRequestsThrottled",
              message: `Number of ${method === "GET" ? "read" : "write"} requests for subscription exceeded the limit. Please try again after '${this.throttleSeconds}' seconds.`,
            },
          },
          {
            "retry-after": String(this.throttleSeconds),
            [`x-ms-ratelimit-remaining-subscription-${method === "GET" ? "reads" : method === "DELETE" ? "deletes" : "writes"}`]: "0",
          },
        );
      }
      if (raw.length > 0) {
        try {
          body = JSON.parse(raw.toString("utf8"));
        } catch {
          throw new Fail(
            400,
            u.pathname.startsWith("/slack") ? "invalid_payload" : { error: { code: "BadRequest", message: "Malformed JSON." } },
          );
        }
      }
      rec.body = body;
      this.onRequest?.(rec);
      const p = u.pathname;
      let out: { status: number; body?: unknown; headers?: Record<string, string> };
      if (p.startsWith("/servicenow/")) out = this.serviceNow(method, p.slice("/servicenow".length), u.searchParams, headers, body);
      else if (p.startsWith("/jira/")) out = this.jira(method, p.slice("/jira".length), headers, body);
      else if (p.startsWith("/teams/")) out = this.teams(method, u, raw, body);
      else if (p.startsWith("/slack/")) out = this.slack(method, p, body);
      else if (p.startsWith("/webhook/")) out = this.webhook(method, p, headers, raw, body);
      else if (p.startsWith("/ingest/")) out = this.ingest(method, p, u.searchParams, headers, raw, body);
      else out = this.arm(method, p, u.searchParams, headers, body);
      done(out.status, out.body, out.headers);
    } catch (e) {
      if (e instanceof Fail) done(e.status, e.body, e.headers);
      else done(500, { error: { code: "InternalServerError", message: String((e as Error)?.message ?? e) } });
    }
  }

  private bearer(headers: Record<string, string>): void {
    const auth = headers.authorization ?? "";
    if (!auth)
      throw new Fail(
        401,
        { error: { code: "AuthenticationFailed", message: "Authentication failed. The 'Authorization' header is missing." } },
        { "www-authenticate": 'Bearer error="invalid_token"' },
      );
    if (auth !== `Bearer ${this.token}`)
      throw new Fail(
        401,
        { error: { code: "InvalidAuthenticationToken", message: "The access token is invalid." } },
        { "www-authenticate": 'Bearer error="invalid_token"' },
      );
  }

  private basic(headers: Record<string, string>, user: string, secret: string): boolean {
    return (headers.authorization ?? "") === `Basic ${Buffer.from(`${user}:${secret}`).toString("base64")}`;
  }

  // ------------------------------------------------------------------ ServiceNow (section 9)

  private serviceNow(method: string, path: string, q: URLSearchParams, headers: Record<string, string>, body: unknown): Out {
    if (!this.basic(headers, this.opts.serviceNow.user, this.opts.serviceNow.password))
      throw snowError(401, "User Not Authenticated", "Required to provide Auth information");
    const m = /^\/api\/now\/(?:v2\/)?table\/([a-z_]+)(?:\/([0-9a-f]{32}))?$/.exec(path);
    if (!m) throw snowError(400, "Invalid table", path);
    const [, table, sysId] = m;
    if (!SNOW_TABLES.has(table)) throw snowError(400, "Invalid table", `Invalid table ${table}`);
    const rows = this.state.serviceNow[table];
    const excludeRef = q.get("sysparm_exclude_reference_link") === "true";
    const present = (r: Json) => this.snowPresent(r, table, excludeRef, q.get("sysparm_fields"));
    if (method === "GET" && !sysId) {
      const filtered = rows.filter((r) => matchesSnowQuery(r, q.get("sysparm_query") ?? ""));
      const limit = Number(q.get("sysparm_limit") ?? 10000);
      const offset = Number(q.get("sysparm_offset") ?? 0);
      return {
        status: 200,
        body: { result: filtered.slice(offset, offset + limit).map(present) },
        headers: { "x-total-count": String(filtered.length) },
      };
    }
    if (method === "POST" && !sysId) {
      const fields = this.snowFields(body, table);
      if (table === "incident" && !fields.short_description)
        throw snowError(400, "Mandatory field missing", "short_description is required");
      const now = snowTime();
      const prefix = table === "change_request" ? "CHG" : "INC";
      const rec: Json = {
        ...(table === "change_request"
          ? { type: "normal", state: "-5", risk: "3", impact: "3", priority: "4", approval: "not yet requested" }
          : { state: "1", impact: "3", urgency: "3", priority: "5" }),
        assigned_to: "",
        correlation_id: "",
        ...fields,
        sys_id: randomBytes(16).toString("hex"),
        number: `${prefix}${String(++this.snowSeq[table]).padStart(7, "0")}`,
        sys_created_on: now,
        sys_updated_on: now,
        sys_created_by: this.opts.serviceNow.user,
        work_notes_log: fields.work_notes ? [fields.work_notes] : [],
      };
      delete rec.work_notes;
      rows.push(rec);
      return {
        status: 201,
        body: { result: present(rec) },
        headers: { location: `${this.url}/servicenow/api/now/table/${table}/${rec.sys_id}` },
      };
    }
    const rec = rows.find((r) => r.sys_id === sysId);
    if (!rec) throw snowError(404, "No Record found", "Record doesn't exist or ACL restricts the record retrieval");
    if (method === "GET") return { status: 200, body: { result: present(rec) } };
    if (method === "PATCH" || method === "PUT") {
      const fields = this.snowFields(body, table);
      if (fields.work_notes) rec.work_notes_log.push(fields.work_notes);
      delete fields.work_notes;
      Object.assign(rec, fields, { sys_updated_on: snowTime() });
      return { status: 200, body: { result: present(rec) } };
    }
    if (method === "DELETE") {
      rows.splice(rows.indexOf(rec), 1);
      return { status: 204 };
    }
    throw snowError(405, "Method not allowed", method);
  }

  private snowFields(body: unknown, table: string): Json {
    if (!body || typeof body !== "object" || Array.isArray(body))
      throw snowError(400, "Exception while reading request", "The payload is not valid JSON object");
    const out: Json = {};
    for (const [k, v] of Object.entries(body as Json)) {
      // The contract: every value is a string (numbers and booleans too).
      if (typeof v !== "string") throw snowError(400, "Invalid field value", `field ${k} must be a string`);
      out[k] = v;
    }
    if (table === "change_request" && out.state && !["-5", "-4", "-3", "-2", "-1", "0", "3", "4"].includes(out.state))
      throw snowError(400, "Invalid field value", `state ${out.state}`);
    if (table === "incident" && out.state && !["1", "2", "3", "6", "7", "8"].includes(out.state))
      throw snowError(400, "Invalid field value", `state ${out.state}`);
    return out;
  }

  private snowPresent(r: Json, table: string, excludeRef: boolean, fieldsParam: string | null): Json {
    const { work_notes_log: _w, ...rest } = r;
    const out: Json = { ...rest, work_notes: "" };
    if (!excludeRef && out.assignment_group)
      out.assignment_group = {
        link: `${this.url}/servicenow/api/now/table/sys_user_group/${out.assignment_group}`,
        value: out.assignment_group,
      };
    if (fieldsParam) {
      const keep = new Set(fieldsParam.split(",").map((s) => s.trim()));
      return Object.fromEntries(Object.entries(out).filter(([k]) => keep.has(k)));
    }
    void table;
    return out;
  }

  // ------------------------------------------------------------------ Jira (section 10)

  private jira(method: string, path: string, headers: Record<string, string>, body: unknown) {
    if (!this.basic(headers, this.opts.jira.email, this.opts.jira.apiToken))
      throw jiraError(401, ["You are not authenticated. Authentication required to perform this operation."]);
    if (method === "POST" && path === "/rest/api/3/issue") {
      const fields = (body as Json)?.fields;
      if (!fields || typeof fields !== "object") throw jiraError(400, ["fields is required"]);
      const errors = validateJiraFields(fields, true);
      if (Object.keys(errors).length) throw jiraError(400, [], errors);
      const id = String(++this.jiraSeq);
      const project = fields.project.key ?? "SEC";
      const key = `${project}-${this.state.jira.filter((i) => i.fields.project === project).length + 1}`;
      const issue = {
        id,
        key,
        fields: {
          ...fields,
          project,
          status: { name: "To Do", statusCategory: { key: "new" } },
          labels: fields.labels ?? [],
          comments: [] as Json[],
        },
      };
      this.state.jira.push(issue);
      return { status: 201, body: { id, key, self: `${this.url}/jira/rest/api/3/issue/${id}` } };
    }
    if (path === "/rest/api/3/search/jql" && (method === "POST" || method === "GET")) {
      const jql = String((body as Json)?.jql ?? "");
      const hits = this.state.jira.filter((i) => matchesJql(i, jql));
      const wanted: string[] = (body as Json)?.fields ?? [];
      return {
        status: 200,
        body: {
          issues: hits.map((i) => ({
            id: i.id,
            key: i.key,
            self: `${this.url}/jira/rest/api/3/issue/${i.id}`,
            fields: pick(i.fields, wanted),
          })),
          isLast: true,
        },
      };
    }
    const m = /^\/rest\/api\/3\/issue\/([A-Za-z0-9-]+)(\/transitions|\/comment)?$/.exec(path);
    if (!m) throw jiraError(404, ["Not found"]);
    const issue = this.state.jira.find((i) => i.key === m[1] || i.id === m[1]);
    if (!issue) throw jiraError(404, ["Issue does not exist or you do not have permission to see it."]);
    if (!m[2] && method === "GET") return { status: 200, body: { id: issue.id, key: issue.key, fields: issue.fields } };
    if (!m[2] && method === "PUT") {
      const fields = ((body as Json)?.fields ?? {}) as Json;
      const update = ((body as Json)?.update ?? {}) as Json;
      for (const k of Object.keys(fields))
        if (k in update) throw jiraError(400, [], { [k]: "Field cannot be set in both fields and update" });
      const errors = validateJiraFields(fields, false);
      if (Object.keys(errors).length) throw jiraError(400, [], errors);
      Object.assign(issue.fields, fields);
      for (const op of update.labels ?? []) if (op.add && !issue.fields.labels.includes(op.add)) issue.fields.labels.push(op.add);
      for (const op of update.comment ?? []) {
        if (!isAdf(op.add?.body)) throw jiraError(400, [], { comment: "Operation value must be an Atlassian Document" });
        issue.fields.comments.push(op.add.body);
      }
      return { status: 204 };
    }
    if (m[2] === "/transitions" && method === "GET")
      return {
        status: 200,
        body: {
          transitions: JIRA_TRANSITIONS.map((t) => ({ id: t.id, name: t.name, to: { name: t.name, statusCategory: { key: t.category } } })),
        },
      };
    if (m[2] === "/transitions" && method === "POST") {
      const t = JIRA_TRANSITIONS.find((x) => x.id === String((body as Json)?.transition?.id));
      if (!t) throw jiraError(400, ["Transition id is not valid"]);
      issue.fields.status = { name: t.name, statusCategory: { key: t.category } };
      return { status: 204 };
    }
    if (m[2] === "/comment" && method === "POST") {
      if (!isAdf((body as Json)?.body)) throw jiraError(400, [], { comment: "Operation value must be an Atlassian Document" });
      issue.fields.comments.push((body as Json).body);
      return {
        status: 201,
        body: { id: String(issue.fields.comments.length), body: (body as Json).body, created: new Date().toISOString() },
      };
    }
    throw jiraError(405, ["Method not allowed"]);
  }

  // ------------------------------------------------------------------ Teams (section 11)

  private teams(method: string, u: URL, raw: Buffer, body: unknown) {
    if (method !== "POST") throw new Fail(405, { error: { code: "MethodNotAllowed", message: "POST only" } });
    if (!/^\/teams\/workflows\/[^/]+\/triggers\/manual\/paths\/invoke$/.test(u.pathname) || !u.searchParams.get("sig"))
      throw new Fail(401, {
        error: { code: "DirectApiAuthorizationRequired", message: "The request must be authenticated by a signature." },
      });
    if (raw.length > 28 * 1024) throw new Fail(413, { error: { code: "RequestEntityTooLarge", message: "Request Entity too large" } });
    const b = body as Json;
    const att = b?.attachments?.[0];
    const problems: string[] = [];
    if (b?.type !== "message") problems.push("type must be 'message'");
    if (!Array.isArray(b?.attachments) || b.attachments.length === 0) problems.push("attachments required");
    else {
      if (att.contentType !== "application/vnd.microsoft.card.adaptive")
        problems.push("contentType must be application/vnd.microsoft.card.adaptive");
      if (att.content?.type !== "AdaptiveCard") problems.push("content.type must be AdaptiveCard");
      if (!/^1\.[0-5]$/.test(String(att.content?.version ?? ""))) problems.push("content.version must be 1.0-1.5");
      if (!Array.isArray(att.content?.body)) problems.push("content.body must be an array");
      for (const a of att.content?.actions ?? [])
        if (a.type !== "Action.OpenUrl") problems.push(`action ${a.type} does not work from a webhook`);
    }
    if (problems.length) throw new Fail(400, { error: { code: "InvalidTemplate", message: problems.join("; ") } });
    this.state.teams.push(b);
    return { status: 202 };
  }

  // ------------------------------------------------------------------ Slack (section 12)

  private slack(method: string, path: string, body: unknown) {
    if (method !== "POST") throw new Fail(405, "invalid_method");
    if (!/^\/slack\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+$/.test(path)) throw new Fail(404, "no_service");
    const b = body as Json;
    if (!b || typeof b.text !== "string" || !b.text) throw new Fail(400, "no_text");
    const blocks: Json[] = b.blocks ?? [];
    if (!Array.isArray(blocks) || blocks.length > 50) throw new Fail(400, "invalid_blocks");
    for (const bl of blocks) {
      if (bl.type === "header" && (bl.text?.type !== "plain_text" || String(bl.text?.text ?? "").length > 150))
        throw new Fail(400, "invalid_blocks");
      if (bl.type === "section") {
        if (bl.text && String(bl.text.text ?? "").length > 3000) throw new Fail(400, "invalid_blocks");
        if (bl.fields && (bl.fields.length > 10 || bl.fields.some((f: Json) => String(f.text ?? "").length > 2000)))
          throw new Fail(400, "invalid_blocks");
      }
      if (bl.type === "context" && (bl.elements?.length ?? 0) > 10) throw new Fail(400, "invalid_blocks");
      if (bl.type === "actions")
        for (const el of bl.elements ?? [])
          if (String(el.text?.text ?? "").length > 75 || String(el.url ?? "").length > 3000) throw new Fail(400, "invalid_blocks");
      if (!["header", "section", "context", "actions", "divider", "image", "rich_text"].includes(bl.type))
        throw new Fail(400, "invalid_blocks");
    }
    this.state.slack.push(b);
    return { status: 200, body: "ok" };
  }

  // ------------------------------------------------------------------ generic webhook (HMAC)

  private webhook(method: string, path: string, headers: Record<string, string>, raw: Buffer, body: unknown) {
    if (method !== "POST") throw new Fail(405, { error: "method not allowed" });
    const ts = headers["x-clarion-timestamp"] ?? "";
    const sig = headers["x-clarion-signature"] ?? "";
    const deliveryId = headers["x-clarion-delivery"] ?? "";
    const expected = `sha256=${createHmac("sha256", this.opts.webhookSecret).update(`${ts}.`).update(raw).digest("hex")}`;
    const ok = sig.length === expected.length && timingSafeEqual(Buffer.from(sig), Buffer.from(expected));
    if (!ok) throw new Fail(401, { error: "bad signature" });
    if (!deliveryId) throw new Fail(400, { error: "X-Clarion-Delivery required" });
    const name = path.slice("/webhook/".length);
    // Receivers dedupe on the delivery id: a redelivery is acknowledged, not stored twice.
    if (!this.state.webhooks.some((w) => w.deliveryId === deliveryId)) this.state.webhooks.push({ name, deliveryId, body: body as Json });
    return { status: 200, body: { received: true } };
  }

  // ------------------------------------------------------------------ Logs Ingestion (section 4)

  private ingest(method: string, path: string, q: URLSearchParams, headers: Record<string, string>, raw: Buffer, body: unknown) {
    this.bearer(headers);
    const m = /^\/ingest\/dataCollectionRules\/([^/]+)\/streams\/([^/]+)$/.exec(path);
    if (method !== "POST" || !m) throw armError(404, "NotFound", "Unknown route.");
    if (q.get("api-version") !== API.ingestion && q.get("api-version") !== "2021-11-01-preview")
      throw armError(400, "InvalidApiVersion", `api-version ${q.get("api-version")} is not supported`);
    const [, dcr, stream] = m;
    if (!/^dcr-[0-9a-f]{32}$/.test(dcr) || dcr !== this.opts.dcrImmutableId)
      throw armError(404, "NotFound", `Data collection rule ${dcr} not found.`);
    if (!this.opts.streams.includes(stream)) throw armError(404, "InvalidStream", `Stream ${stream} is not declared in the DCR.`);
    if (raw.length > 1024 * 1024) throw armError(413, "ContentLengthLimitExceeded", "The request body exceeds 1 MB.");
    if (!Array.isArray(body)) throw armError(400, "InvalidContent", "The body must be a JSON array of records.");
    const cols = this.opts.streamColumns ? new Set(this.opts.streamColumns) : undefined;
    const rows = (body as Json[]).map((r, i) => {
      if (!r || typeof r !== "object" || Array.isArray(r)) throw armError(400, "InvalidContent", `record ${i} is not an object`);
      if (typeof r.TimeGenerated !== "string" || Number.isNaN(Date.parse(r.TimeGenerated)))
        throw armError(400, "InvalidContent", `record ${i} lacks a TimeGenerated datetime`);
      return cols ? Object.fromEntries(Object.entries(r).filter(([k]) => cols.has(k))) : r;
    });
    this.state.ingested.push({ dcr, stream, rows });
    return { status: 204 };
  }

  // ------------------------------------------------------------------ ARM: Azure Policy writes (section 3)

  private arm(method: string, path: string, q: URLSearchParams, headers: Record<string, string>, body: unknown) {
    this.bearer(headers);
    const apiVersion = q.get("api-version");
    const def = /^(.*)\/providers\/Microsoft\.Authorization\/policyDefinitions\/([^/]+)$/i.exec(path);
    const asg = /^(.*)\/providers\/Microsoft\.Authorization\/policyAssignments\/([^/]+)$/i.exec(path);
    const exm = /^(.*)\/providers\/Microsoft\.Authorization\/policyExemptions\/([^/]+)$/i.exec(path);
    const rem = /^(.*)\/providers\/Microsoft\.PolicyInsights\/remediations\/([^/]+)$/i.exec(path);
    const ra = /^(.*)\/providers\/Microsoft\.Authorization\/roleAssignments\/([^/]+)$/i.exec(path);
    const inc =
      /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.OperationalInsights\/workspaces\/[^/]+)\/providers\/Microsoft\.SecurityInsights\/incidents(?:\/([^/]+))?$/i.exec(
        path,
      );
    const need = (v: string) => {
      if (apiVersion !== v)
        throw armError(400, "InvalidApiVersionParameter", `The api-version '${apiVersion}' is invalid. The supported version is '${v}'.`);
    };
    if (def) {
      need(API.definitions);
      return this.definition(method, def[1], def[2], body);
    }
    if (asg) {
      need(API.assignments);
      return this.assignment(method, asg[1], asg[2], body);
    }
    if (exm) {
      need(API.exemptions);
      return this.exemption(method, exm[1], exm[2], body);
    }
    if (rem) {
      need(API.remediations);
      return this.remediation(method, rem[1], rem[2], body);
    }
    if (ra) {
      need(API.roleAssignments);
      return this.roleAssignment(method, ra[1], ra[2], body);
    }
    if (inc) {
      need(API.securityInsights);
      return inc[2] ? this.incident(method, inc[1], inc[2], headers, body) : this.listIncidents(method, inc[1], q);
    }
    if (/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/.+/i.test(path)) return this.genericResource(method, path, body);
    throw armError(404, "InvalidResourceType", `No route for ${method} ${path}`);
  }

  private checkScope(scope: string): void {
    if (
      !/^\/subscriptions\/[^/]+(\/resourceGroups\/[^/]+)?$/i.test(scope) &&
      !/^\/providers\/Microsoft\.Management\/managementGroups\/[^/]+$/i.test(scope)
    )
      throw armError(400, "InvalidScope", `Scope '${scope}' is not a subscription, resource group or management group.`);
  }

  private definition(method: string, scope: string, name: string, body: unknown) {
    this.checkScope(scope);
    if (/\/resourceGroups\//i.test(scope))
      throw armError(400, "InvalidScope", "Policy definitions live at subscription or management-group scope.");
    const id = `${scope}/providers/Microsoft.Authorization/policyDefinitions/${name}`;
    const key = id.toLowerCase();
    const existing = this.state.definitions.get(key);
    if (method === "GET") {
      if (!existing) throw armError(404, "PolicyDefinitionNotFound", `The policy definition '${name}' could not be found.`);
      return { status: 200, body: existing };
    }
    if (method === "DELETE") {
      if (!existing) return { status: 204 };
      for (const a of this.state.assignments.values())
        if (String(a.properties.policyDefinitionId).toLowerCase() === key)
          throw armError(400, "PolicyDefinitionInUse", `The policy definition '${name}' is in use by assignment '${a.name}'.`);
      this.state.definitions.delete(key);
      return { status: 200 };
    }
    if (method !== "PUT") throw armError(405, "MethodNotAllowed", method);
    const p = (body as Json)?.properties;
    if (!p || typeof p !== "object") throw armError(400, "InvalidRequestContent", "The request content must contain 'properties'.");
    if (!p.policyRule?.if || !p.policyRule?.then) throw armError(400, "InvalidPolicyRule", "policyRule needs 'if' and 'then'.");
    if (p.policyType && !["NotSpecified", "Custom"].includes(p.policyType))
      throw armError(400, "InvalidPolicyType", `policyType '${p.policyType}' cannot be set.`);
    if (String(p.displayName ?? "").length > 128) throw armError(400, "InvalidRequestContent", "displayName exceeds 128 characters.");
    if (String(p.description ?? "").length > 512) throw armError(400, "InvalidRequestContent", "description exceeds 512 characters.");
    if (p.version !== undefined && !/^\d+\.\d+\.\d+$/.test(String(p.version)))
      throw armError(400, "InvalidPolicyDefinitionVersion", "version must be {Major}.{Minor}.{Patch}.");
    const TYPES = ["String", "Array", "Object", "Boolean", "Integer", "Float", "DateTime"];
    for (const [pn, pd] of Object.entries((p.parameters ?? {}) as Json)) {
      if (!TYPES.includes(pd?.type)) throw armError(400, "InvalidPolicyParameterType", `parameter '${pn}' has an invalid type.`);
      const before = existing?.properties?.parameters?.[pn];
      if (before && before.type !== pd.type)
        throw armError(400, "InvalidPolicyParameterUpdate", `The type of parameter '${pn}' cannot change.`);
    }
    const doc = {
      id,
      name,
      type: "Microsoft.Authorization/policyDefinitions",
      properties: { policyType: "Custom", mode: "Indexed", ...structuredClone(p) },
      systemData: { lastModifiedAt: new Date().toISOString() },
    };
    this.state.definitions.set(key, doc);
    return { status: 201, body: doc };
  }

  private effectOf(assignment: Json): string {
    const d = this.state.definitions.get(String(assignment.properties.policyDefinitionId).toLowerCase());
    const eff = String(d?.properties?.policyRule?.then?.effect ?? "");
    const pm = /^\[parameters\('([^']+)'\)\]$/.exec(eff);
    if (!pm) return eff.toLowerCase();
    const v = assignment.properties.parameters?.[pm[1]]?.value ?? d?.properties?.parameters?.[pm[1]]?.defaultValue;
    return String(v ?? "").toLowerCase();
  }

  private assignment(method: string, scope: string, name: string, body: unknown) {
    this.checkScope(scope);
    const id = `${scope}/providers/Microsoft.Authorization/policyAssignments/${name}`;
    const key = id.toLowerCase();
    const existing = this.state.assignments.get(key);
    if (method === "GET") {
      if (!existing) throw armError(404, "PolicyAssignmentNotFound", `The policy assignment '${name}' is not found.`);
      return { status: 200, body: existing };
    }
    if (method === "DELETE") {
      if (!existing) return { status: 204 };
      this.state.assignments.delete(key);
      return { status: 200, body: existing };
    }
    if (method !== "PUT") throw armError(405, "MethodNotAllowed", method);
    const isMg = /managementGroups/i.test(scope);
    if (name.length > (isMg ? 24 : 64))
      throw armError(400, "InvalidPolicyAssignmentName", `The assignment name exceeds ${isMg ? 24 : 64} characters.`);
    const b = body as Json;
    const p = b?.properties;
    if (!p?.policyDefinitionId) throw armError(400, "InvalidRequestContent", "properties.policyDefinitionId is required.");
    const defId = String(p.policyDefinitionId).toLowerCase();
    const defDoc = this.state.definitions.get(defId);
    if (!defDoc && !defId.startsWith("/providers/microsoft.authorization/policydefinitions/"))
      throw armError(404, "PolicyDefinitionNotFound", `The policy definition '${p.policyDefinitionId}' could not be found.`);
    const declared = (defDoc?.properties?.parameters ?? {}) as Json;
    for (const [pn, pv] of Object.entries((p.parameters ?? {}) as Json)) {
      if (!pv || typeof pv !== "object" || !("value" in pv))
        throw armError(400, "InvalidPolicyParameters", `Parameter '${pn}' must be wrapped as { "value": ... }.`);
      if (defDoc && !(pn in declared)) throw armError(400, "UndefinedPolicyParameter", `The policy definition has no parameter '${pn}'.`);
      const allowed = declared[pn]?.allowedValues as unknown[] | undefined;
      if (allowed && !allowed.some((a) => String(a).toLowerCase() === String(pv.value).toLowerCase()))
        throw armError(400, "InvalidPolicyParameterValue", `The value '${pv.value}' is not allowed for parameter '${pn}'.`);
    }
    if (p.enforcementMode && !["Default", "DoNotEnforce"].includes(p.enforcementMode))
      throw armError(400, "InvalidRequestContent", "enforcementMode must be Default or DoNotEnforce.");
    const doc: Json = {
      id,
      name,
      type: "Microsoft.Authorization/policyAssignments",
      ...(b.location ? { location: b.location } : {}),
      properties: { enforcementMode: "Default", ...structuredClone(p), scope },
    };
    const effect = this.effectOf(doc);
    if (effect === "modify" || effect === "deployifnotexists") {
      if (!b.identity?.type || b.identity.type === "None")
        throw armError(400, "MissingPolicyAssignmentIdentity", `A '${effect}' assignment needs a managed identity.`);
      if (!b.location) throw armError(400, "LocationRequired", "location is required when identity is set.");
    }
    if (b.identity)
      doc.identity = {
        ...b.identity,
        ...(b.identity.type === "SystemAssigned" ? { principalId: randomUUID(), tenantId: randomUUID() } : {}),
      };
    this.state.assignments.set(key, doc);
    return { status: 201, body: doc };
  }

  private exemption(method: string, scope: string, name: string, body: unknown) {
    const id = `${scope}/providers/Microsoft.Authorization/policyExemptions/${name}`;
    const key = id.toLowerCase();
    const existing = this.state.exemptions.get(key);
    if (method === "GET") {
      if (!existing) throw armError(404, "PolicyExemptionNotFound", `The policy exemption '${name}' is not found.`);
      return { status: 200, body: existing };
    }
    if (method === "DELETE") {
      this.state.exemptions.delete(key);
      return { status: existing ? 200 : 204 };
    }
    if (method !== "PUT") throw armError(405, "MethodNotAllowed", method);
    const p = (body as Json)?.properties;
    if (!p?.policyAssignmentId) throw armError(400, "InvalidRequestContent", "properties.policyAssignmentId is required.");
    if (!["Waiver", "Mitigated"].includes(p.exemptionCategory))
      throw armError(400, "InvalidRequestContent", "exemptionCategory must be Waiver or Mitigated.");
    if (!this.state.assignments.has(String(p.policyAssignmentId).toLowerCase()) && p.assignmentScopeValidation !== "DoNotValidate")
      throw armError(404, "PolicyAssignmentNotFound", `The policy assignment '${p.policyAssignmentId}' is not found.`);
    const doc = { id, name, type: "Microsoft.Authorization/policyExemptions", properties: structuredClone(p) };
    this.state.exemptions.set(key, doc);
    return { status: existing ? 200 : 201, body: doc };
  }

  private remediation(method: string, scope: string, name: string, body: unknown) {
    const id = `${scope}/providers/Microsoft.PolicyInsights/remediations/${name}`;
    const key = id.toLowerCase();
    const existing = this.state.remediations.get(key);
    if (method === "GET") {
      if (!existing) throw armError(404, "RemediationNotFound", `The remediation '${name}' is not found.`);
      return { status: 200, body: existing };
    }
    if (method !== "PUT") throw armError(405, "MethodNotAllowed", method);
    const p = (body as Json)?.properties;
    if (!p?.policyAssignmentId) throw armError(400, "InvalidRequestContent", "properties.policyAssignmentId is required.");
    const a = this.state.assignments.get(String(p.policyAssignmentId).toLowerCase());
    if (!a) throw armError(404, "PolicyAssignmentNotFound", `The policy assignment '${p.policyAssignmentId}' is not found.`);
    const effect = this.effectOf(a);
    if (effect !== "modify" && effect !== "deployifnotexists")
      throw armError(400, "InvalidRemediationPolicyEffect", "Only deployIfNotExists and modify assignments can be remediated.");
    if (p.resourceDiscoveryMode && !["ExistingNonCompliant", "ReEvaluateCompliance"].includes(p.resourceDiscoveryMode))
      throw armError(400, "InvalidRequestContent", "resourceDiscoveryMode must be ExistingNonCompliant or ReEvaluateCompliance.");
    const principal = a.identity?.principalId;
    const roleIds = (this.state.definitions.get(String(a.properties.policyDefinitionId).toLowerCase())?.properties?.policyRule?.then
      ?.details?.roleDefinitionIds ?? []) as string[];
    for (const rid of roleIds) {
      const granted = [...this.state.roleAssignments.values()].some(
        (x) =>
          x.properties.principalId === principal &&
          String(x.properties.roleDefinitionId)
            .toLowerCase()
            .endsWith(String(rid).toLowerCase().split("/").pop() ?? ""),
      );
      if (!granted)
        throw armError(
          403,
          "AuthorizationFailed",
          `The policy assignment's identity '${principal}' lacks role '${rid}' (create the role assignment first).`,
        );
    }
    const touched = this.applyRemediation(a, effect, scope, Number(p.resourceCount ?? 500));
    const now = new Date().toISOString();
    const doc = {
      id: id.toLowerCase(),
      name,
      type: "Microsoft.PolicyInsights/remediations",
      properties: {
        resourceDiscoveryMode: "ExistingNonCompliant",
        ...structuredClone(p),
        provisioningState: "Succeeded",
        createdOn: now,
        lastUpdatedOn: now,
        deploymentStatus: { totalDeployments: touched.length, successfulDeployments: touched.length, failedDeployments: 0 },
      },
    };
    this.state.remediations.set(key, doc);
    return { status: 201, body: doc };
  }

  /** Applies a modify assignment's addOrReplace operations to the noncompliant resources in scope. */
  private applyRemediation(a: Json, effect: string, scope: string, limit: number): string[] {
    const d = this.state.definitions.get(String(a.properties.policyDefinitionId).toLowerCase());
    if (!d) return [];
    const inScope = [...this.state.resources.values()].filter((r) => String(r.id).toLowerCase().startsWith(scope.toLowerCase()));
    const params = Object.fromEntries(Object.entries((a.properties.parameters ?? {}) as Json).map(([k, v]) => [k, v.value]));
    const result = whatIf({ properties: d.properties, name: d.name }, inScope, { params, reasons: "none" });
    const ids = result.resources
      .filter((r) => r.result === "noncompliant")
      .map((r) => r.id.toLowerCase())
      .slice(0, limit);
    if (effect !== "modify") return ids;
    const ops = (d.properties.policyRule.then.details?.operations ?? []) as Json[];
    for (const id of ids) {
      const r = this.state.resources.get(id);
      if (!r) continue;
      for (const op of ops) {
        const path = aliasToPath(String(op.field));
        if (!path) continue;
        if (String(op.operation).toLowerCase() === "remove") deletePath(r, path);
        else setPath(r, path, resolveParam(op.value, params));
      }
    }
    return ids;
  }

  private roleAssignment(method: string, scope: string, name: string, body: unknown) {
    const id = `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`;
    const key = id.toLowerCase();
    if (method === "DELETE") {
      const had = this.state.roleAssignments.delete(key);
      return { status: had ? 200 : 204 };
    }
    if (method === "GET") {
      const r = this.state.roleAssignments.get(key);
      if (!r) throw armError(404, "RoleAssignmentNotFound", `The role assignment '${name}' is not found.`);
      return { status: 200, body: r };
    }
    if (method !== "PUT") throw armError(405, "MethodNotAllowed", method);
    if (!/^[0-9a-f-]{36}$/i.test(name)) throw armError(400, "InvalidRoleAssignmentId", "The role assignment name must be a GUID.");
    const p = (body as Json)?.properties;
    if (!p?.roleDefinitionId || !p?.principalId)
      throw armError(400, "InvalidRequestContent", "roleDefinitionId and principalId are required.");
    const doc = { id, name, type: "Microsoft.Authorization/roleAssignments", properties: { ...structuredClone(p), scope } };
    this.state.roleAssignments.set(key, doc);
    return { status: 201, body: doc };
  }

  // ------------------------------------------------------------------ Sentinel incidents (section 7)

  private incident(method: string, workspace: string, name: string, headers: Record<string, string>, body: unknown): Out {
    const id = `${workspace}/providers/Microsoft.SecurityInsights/incidents/${name}`;
    const key = id.toLowerCase();
    const existing = this.state.incidents.get(key);
    const quota = {
      [`x-ms-ratelimit-remaining-subscription-${method === "GET" ? "reads" : method === "DELETE" ? "deletes" : "writes"}`]: "199",
    };
    if (method === "GET") {
      if (!existing) throw armError(404, "NotFound", `Incident '${name}' was not found.`);
      return { status: 200, body: existing, headers: quota };
    }
    if (method === "DELETE") {
      this.state.incidents.delete(key);
      return { status: existing ? 200 : 204, headers: quota };
    }
    if (method !== "PUT") throw armError(405, "MethodNotAllowed", `The requested resource does not support http method '${method}'.`);
    // The client picks a GUID (section 7); anything else is refused.
    if (!GUID.test(name)) throw armError(400, "BadRequest", `The incident id '${name}' is not a valid GUID.`);
    const b = body as Json;
    if (!b || typeof b !== "object" || Array.isArray(b) || !b.properties || typeof b.properties !== "object" || Array.isArray(b.properties))
      throw armError(400, "BadRequest", "The request content must contain 'properties'.");
    // Optimistic concurrency: a body etag (or If-Match) must match the stored one.
    const ifMatch = headers["if-match"] || (typeof b.etag === "string" ? b.etag : "");
    if (ifMatch && (!existing || (ifMatch !== "*" && ifMatch !== existing.etag)))
      throw armError(412, "PreconditionFailed", `The etag '${ifMatch}' does not match the incident's current etag.`);
    if (headers["if-none-match"] === "*" && existing) throw armError(412, "PreconditionFailed", `Incident '${name}' already exists.`);
    const p = b.properties as Json;
    validateIncident(p);
    const now = new Date().toISOString();
    const mutable = Object.fromEntries(Object.entries(p).filter(([k]) => !INCIDENT_READ_ONLY.includes(k)));
    const number = existing?.properties.incidentNumber ?? ++this.incidentSeq;
    const doc: Json = {
      id,
      name,
      etag: `"${randomUUID()}"`,
      type: "Microsoft.SecurityInsights/incidents",
      properties: {
        ...structuredClone(mutable),
        owner: { objectId: null, email: null, assignedTo: null, userPrincipalName: null, ownerType: "Unknown", ...(p.owner ?? {}) },
        labels: structuredClone(p.labels ?? []).map((l: Json) => ({ labelType: "User", ...l })),
        providerName: p.providerName ?? existing?.properties.providerName ?? "Azure Sentinel",
        providerIncidentId: p.providerIncidentId ?? existing?.properties.providerIncidentId ?? String(number),
        incidentNumber: number,
        incidentUrl: `https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident${id}`,
        createdTimeUtc: existing?.properties.createdTimeUtc ?? now,
        lastModifiedTimeUtc: now,
        relatedAnalyticRuleIds: existing?.properties.relatedAnalyticRuleIds ?? [],
        additionalData: existing?.properties.additionalData ?? {
          alertsCount: 0,
          bookmarksCount: 0,
          commentsCount: 0,
          alertProductNames: [],
          tactics: [],
          techniques: [],
        },
      },
    };
    this.state.incidents.set(key, doc);
    return { status: existing ? 200 : 201, body: doc, headers: quota };
  }

  private listIncidents(method: string, workspace: string, q: URLSearchParams): Out {
    if (method !== "GET") throw armError(405, "MethodNotAllowed", `The requested resource does not support http method '${method}'.`);
    if (q.get("$filter")) throw armError(400, "BadRequest", "This simulator does not evaluate $filter on incidents.");
    const prefix = `${workspace}/providers/Microsoft.SecurityInsights/incidents/`.toLowerCase();
    let all = [...this.state.incidents.entries()].filter(([k]) => k.startsWith(prefix)).map(([, v]) => v);
    const order = (q.get("$orderby") ?? "").trim();
    if (order) {
      const m = /^properties\/(createdTimeUtc|lastModifiedTimeUtc|incidentNumber)(?:\s+(asc|desc))?$/i.exec(order);
      if (!m) throw armError(400, "BadRequest", `Unsupported $orderby '${order}'.`);
      const dir = (m[2] ?? "asc").toLowerCase() === "desc" ? -1 : 1;
      const f = m[1];
      all = all.sort((x, y) => (x.properties[f] < y.properties[f] ? -dir : x.properties[f] > y.properties[f] ? dir : 0));
    }
    const top = Math.min(Number(q.get("$top") ?? 50) || 50, 1000);
    const skip = Number(q.get("$skipToken") ?? 0) || 0;
    const page = all.slice(skip, skip + top);
    const next = skip + top < all.length ? new URL(`${this.url}${workspace}/providers/Microsoft.SecurityInsights/incidents`) : undefined;
    if (next) {
      for (const [k, v] of q) if (k !== "$skipToken") next.searchParams.set(k, v);
      next.searchParams.set("$skipToken", String(skip + top));
    }
    return { status: 200, body: { value: page, ...(next ? { nextLink: next.toString() } : {}) } };
  }

  private genericResource(method: string, path: string, body: unknown) {
    const r = this.state.resources.get(path.toLowerCase());
    if (!r) throw armError(404, "ResourceNotFound", `The Resource '${path}' was not found.`);
    if (method === "GET") return { status: 200, body: r };
    if (method === "PATCH") {
      deepMerge(r, body as Json);
      return { status: 200, body: r };
    }
    throw armError(405, "MethodNotAllowed", method);
  }
}

const JIRA_TRANSITIONS = [
  { id: "11", name: "To Do", category: "new" },
  { id: "21", name: "In Progress", category: "indeterminate" },
  { id: "31", name: "Done", category: "done" },
];

/** The request contract of section 7: title, severity and status required; enums and times checked. */
function validateIncident(p: Json): void {
  const bad = (target: string, message: string) => new Fail(400, { error: { code: "BadRequest", message, target } });
  if (typeof p.title !== "string" || !p.title.trim()) throw bad("properties.title", "The title field is required.");
  if (!INCIDENT_SEVERITIES.includes(p.severity))
    throw bad("properties.severity", `severity must be one of ${INCIDENT_SEVERITIES.join(", ")}; got '${p.severity}'.`);
  if (!INCIDENT_STATUSES.includes(p.status))
    throw bad("properties.status", `status must be one of ${INCIDENT_STATUSES.join(", ")}; got '${p.status}'.`);
  if (p.description !== undefined && p.description !== null && typeof p.description !== "string")
    throw bad("properties.description", "description must be a string.");
  if (p.classification !== undefined && !INCIDENT_CLASSIFICATIONS.includes(p.classification))
    throw bad("properties.classification", `classification must be one of ${INCIDENT_CLASSIFICATIONS.join(", ")}.`);
  if (p.status === "Closed" && !p.classification)
    throw bad("properties.classification", "classification is required when the incident is closed.");
  if (p.classificationReason !== undefined && !INCIDENT_CLASSIFICATION_REASONS.includes(p.classificationReason))
    throw bad("properties.classificationReason", `classificationReason must be one of ${INCIDENT_CLASSIFICATION_REASONS.join(", ")}.`);
  if (p.owner !== undefined && p.owner !== null) {
    if (typeof p.owner !== "object" || Array.isArray(p.owner)) throw bad("properties.owner", "owner must be an object.");
    if (p.owner.ownerType !== undefined && !INCIDENT_OWNER_TYPES.includes(p.owner.ownerType))
      throw bad("properties.owner.ownerType", `ownerType must be one of ${INCIDENT_OWNER_TYPES.join(", ")}.`);
  }
  if (p.labels !== undefined) {
    if (!Array.isArray(p.labels)) throw bad("properties.labels", "labels must be an array.");
    p.labels.forEach((l: Json, i: number) => {
      if (!l || typeof l.labelName !== "string" || !l.labelName) throw bad(`properties.labels[${i}].labelName`, "labelName is required.");
      if (l.labelType !== undefined && !INCIDENT_LABEL_TYPES.includes(l.labelType))
        throw bad(`properties.labels[${i}].labelType`, `labelType must be one of ${INCIDENT_LABEL_TYPES.join(", ")}.`);
    });
  }
  for (const f of ["firstActivityTimeUtc", "lastActivityTimeUtc"])
    if (p[f] !== undefined && p[f] !== null && (typeof p[f] !== "string" || Number.isNaN(Date.parse(p[f]))))
      throw bad(`properties.${f}`, `${f} must be an ISO 8601 date-time.`);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function snowTime(d = new Date()): string {
  return d.toISOString().replace("T", " ").slice(0, 19);
}

/** The subset of encoded queries Clarion sends: `field=value` joined by `^`. */
function matchesSnowQuery(r: Json, q: string): boolean {
  if (!q) return true;
  return q
    .split("^")
    .filter((c) => c && !c.startsWith("ORDERBY"))
    .every((c) => {
      const i = c.indexOf("=");
      return i > 0 && String(r[c.slice(0, i)] ?? "") === c.slice(i + 1);
    });
}

/** The subset of JQL Clarion sends: `project = X AND labels = "y"` (AND only). */
function matchesJql(issue: Json, jql: string): boolean {
  const clauses = jql.split(/\s+AND\s+/i).filter(Boolean);
  return clauses.every((c) => {
    const m = /^\s*(project|labels|key)\s*=\s*"?([^"]+?)"?\s*$/i.exec(c);
    if (!m) return false;
    const v = m[2];
    if (m[1].toLowerCase() === "project") return issue.fields.project === v;
    if (m[1].toLowerCase() === "key") return issue.key === v;
    return (issue.fields.labels as string[]).includes(v);
  });
}

function isAdf(doc: unknown): boolean {
  const d = doc as Json;
  if (!d || d.type !== "doc" || d.version !== 1 || !Array.isArray(d.content)) return false;
  const walk = (n: Json): boolean => {
    if (!n || typeof n !== "object") return false;
    if (ADF_INLINE.has(n.type)) {
      if (n.type === "text" && (typeof n.text !== "string" || n.text.length === 0)) return false;
      return (n.marks ?? []).every((m: Json) => ADF_MARKS.has(m.type) && (m.type !== "link" || typeof m.attrs?.href === "string"));
    }
    if (!ADF_BLOCKS.has(n.type)) return false;
    if (n.type === "heading" && !(n.attrs?.level >= 1 && n.attrs?.level <= 6)) return false;
    return (n.content ?? []).every(walk);
  };
  return d.content.every(walk);
}

function validateJiraFields(fields: Json, create: boolean): Record<string, string> {
  const errors: Record<string, string> = {};
  if (create) {
    if (!fields.project?.key && !fields.project?.id) errors.project = "Specify a valid project ID or key";
    if (!fields.issuetype?.name && !fields.issuetype?.id) errors.issuetype = "Specify an issue type";
    if (typeof fields.summary !== "string" || !fields.summary) errors.summary = "You must specify a summary of the issue.";
  }
  if (fields.summary !== undefined && (typeof fields.summary !== "string" || fields.summary.length >= 255 || /[\r\n]/.test(fields.summary)))
    errors.summary = "Summary must be a single line under 255 characters.";
  if (fields.description !== undefined && !isAdf(fields.description)) errors.description = "Operation value must be an Atlassian Document";
  if (
    fields.labels !== undefined &&
    (!Array.isArray(fields.labels) || fields.labels.some((l: unknown) => typeof l !== "string" || /\s/.test(l)))
  )
    errors.labels = "Labels cannot contain spaces.";
  if (fields.priority !== undefined && !JIRA_PRIORITIES.has(fields.priority?.name)) errors.priority = "Specify a valid priority name";
  if (fields.duedate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(String(fields.duedate))) errors.duedate = "Due date must be YYYY-MM-DD";
  if (fields.assignee !== undefined && fields.assignee !== null && typeof fields.assignee.accountId !== "string")
    errors.assignee = "assignee takes an accountId";
  return errors;
}

function pick(o: Json, keys: string[]): Json {
  return keys.length ? Object.fromEntries(keys.filter((k) => k in o).map((k) => [k, o[k]])) : {};
}

/** `Namespace/type/prop.sub` → `properties.prop.sub` (plain property aliases). */
export function aliasToPath(alias: string): string[] | undefined {
  const i = alias.lastIndexOf("/");
  if (i < 0) return undefined;
  const rest = alias.slice(i + 1);
  if (!rest || rest.includes("[")) return undefined;
  return ["properties", ...rest.split(".")];
}

function resolveParam(v: unknown, params: Json): unknown {
  const m = typeof v === "string" ? /^\[parameters\('([^']+)'\)\]$/.exec(v) : null;
  return m ? params[m[1]] : v;
}

function setPath(o: Json, path: string[], v: unknown): void {
  let cur = o;
  for (const k of path.slice(0, -1)) cur = cur[k] ??= {};
  cur[path[path.length - 1]] = v;
}

function deletePath(o: Json, path: string[]): void {
  let cur = o;
  for (const k of path.slice(0, -1)) {
    cur = cur?.[k];
    if (!cur) return;
  }
  delete cur[path[path.length - 1]];
}

function deepMerge(target: Json, patch: Json): void {
  for (const [k, v] of Object.entries(patch ?? {})) {
    if (v === null) delete target[k];
    else if (v && typeof v === "object" && !Array.isArray(v) && target[k] && typeof target[k] === "object") deepMerge(target[k], v);
    else target[k] = structuredClone(v);
  }
}
