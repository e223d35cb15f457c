import { createHmac } from "node:crypto";
import type { TokenCredential } from "@azure/core-auth";
import { DefaultAzureCredential } from "@azure/identity";
import type { HttpMethods } from "@azure/core-rest-pipeline";
import { createHttpPipeline, type HttpPipeline, type HttpPipelineOptions, isHttpError, sendJson } from "../http";
import { StaticTokenCredential } from "../sources/azure/config";
import {
  approvalNotice,
  correlationId,
  findingNotice,
  type Json,
  jiraIssueFields,
  jiraLabel,
  jiraStatus,
  type NotifyView,
  serviceNowChange,
  serviceNowIncident,
  serviceNowStatus,
  slackMessage,
  type TicketView,
  teamsMessage,
} from "./format";
import type { DeliveryRepo, OutboxMessage, TicketRecord } from "./repo";

/** What a sink reports back for one delivered message. */
export interface DeliveryResult {
  statusCode?: number;
  ticket?: TicketRecord;
  /** true when nothing had to be sent (e.g. the ticket is already up to date). */
  skipped?: boolean;
}

export interface SinkContext {
  repo: DeliveryRepo;
  now: () => Date;
}

/** One delivery target. `deliver` throws on failure; `PermanentDeliveryError` skips the retries. */
export interface Sink {
  readonly name: string;
  readonly type: string;
  deliver(msg: OutboxMessage, ctx: SinkContext): Promise<DeliveryResult>;
  /** Reads the ticket's current status from the ticketing system (status sync-back). */
  ticketStatus?(ticket: TicketRecord): Promise<string>;
  close?(): void;
}

/** A failure that retrying cannot fix (contract violation, bad credentials, unknown project). */
export class PermanentDeliveryError extends Error {
  constructor(
    message: string,
    readonly statusCode?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A transient failure whose service said when to come back (`Retry-After`); the outbox waits at least that long. */
export class RetryLaterError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
  }
}

/** The wait a 429/503 answer asks for: `Retry-After` in seconds or as an HTTP date; 5 s for a 429 without one. */
export function retryAfterMs(headers: Record<string, string>, status: number, now = Date.now()): number | undefined {
  const v = headers["retry-after"];
  if (v && /^\s*\d+(\.\d+)?\s*$/.test(v)) return Math.round(Number(v) * 1000);
  if (v && Number.isFinite(Date.parse(v))) return Math.max(0, Date.parse(v) - now);
  return status === 429 ? 5_000 : undefined;
}

/** 4xx other than 408/409/425/429 are permanent; network errors, 408, 429 and 5xx are retried. */
export function classify(e: unknown): never {
  if (
    isHttpError(e) &&
    e.statusCode !== undefined &&
    e.statusCode >= 400 &&
    e.statusCode < 500 &&
    ![408, 409, 425, 429].includes(e.statusCode)
  )
    throw new PermanentDeliveryError(e.message, e.statusCode, { cause: e });
  throw e;
}

/** A JSON call whose failures are classified for the outbox (permanent vs retried). */
function classifiedCaller<M extends HttpMethods>(http: HttpPipeline, headers: Record<string, string>) {
  return async <T = Json>(method: M, url: string, body?: unknown) => {
    try {
      return await sendJson<T>(http, { method, url, body, headers });
    } catch (e) {
      return classify(e);
    }
  };
}

export interface HttpSinkOptions {
  name?: string;
  ca?: string;
  /** Pipeline retries inside one outbox attempt (default: none; the outbox retries with backoff). */
  retry?: HttpPipelineOptions["retry"];
}

function pipeline(o: HttpSinkOptions, extra: Partial<HttpPipelineOptions> = {}): HttpPipeline {
  return createHttpPipeline({ ca: o.ca, retry: o.retry ?? false, userAgent: "clarion/0.1 (delivery)", ...extra });
}

const basic = (user: string, secret: string) => `Basic ${Buffer.from(`${user}:${secret}`).toString("base64")}`;

interface TicketPayload {
  view: TicketView;
  contentHash: string;
}

function ticketPayload(msg: OutboxMessage): TicketPayload {
  const p = msg.payload as TicketPayload;
  if (!p?.view?.id) throw new PermanentDeliveryError(`message ${msg.id} has no ticket view`);
  return p;
}

function noticeOf(msg: OutboxMessage): NotifyView {
  const p = msg.payload as Json;
  if (msg.topic === "approval.transition") return approvalNotice(p as Parameters<typeof approvalNotice>[0]);
  if (p?.notice) return p.notice as NotifyView;
  if (p?.finding) return findingNotice(p.finding);
  if (p?.view) {
    const v = p.view as TicketView;
    return {
      title: `${v.severity} severity: ${v.title}`,
      text: v.summary,
      facts: [
        ["Risk", `${v.risk} (${v.level})`],
        ["Owner", v.owner],
      ],
    };
  }
  throw new PermanentDeliveryError(`message ${msg.id} (${msg.topic}) has nothing to show`);
}

// ------------------------------------------------------------------------------------------- ServiceNow

export interface ServiceNowOptions extends HttpSinkOptions {
  instanceUrl: string;
  user: string;
  password: string;
  table: "change_request" | "incident";
  assignmentGroup?: string;
}

/**
 * ServiceNow Table API. Idempotent by `correlation_id = clarion:{findingId}`: the local tickets table first,
 * then a `correlation_id=` query, so a create whose answer was lost is found instead of duplicated.
 */
export function serviceNowSink(o: ServiceNowOptions): Sink {
  const http = pipeline(o);
  const name = o.name ?? (o.table === "incident" ? "servicenow-incident" : "servicenow");
  const base = `${o.instanceUrl.replace(/\/+$/, "")}/api/now/table/${o.table}`;
  const call = classifiedCaller<"GET" | "POST" | "PATCH">(http, { authorization: basic(o.user, o.password) });
  return {
    name,
    type: "servicenow",
    async deliver(msg, ctx) {
      const { view, contentHash } = ticketPayload(msg);
      const fields: Json = o.table === "incident" ? serviceNowIncident(view) : serviceNowChange(view);
      if (o.assignmentGroup) fields.assignment_group = o.assignmentGroup;
      const now = ctx.now().toISOString();
      let known = await ctx.repo.getTicket(view.id, name);
      if (!known) {
        const q = `${base}?sysparm_query=${encodeURIComponent(`correlation_id=${correlationId(view.id)}`)}&sysparm_limit=1&sysparm_fields=sys_id,number,state&sysparm_exclude_reference_link=true`;
        const found = (await call<{ result: Json[] }>("GET", q)).body.result?.[0];
        if (found)
          known = {
            findingId: view.id,
            sink: name,
            externalId: found.sys_id,
            number: found.number,
            url: `${base}/${found.sys_id}`,
            status: serviceNowStatus(o.table, found.state),
            contentHash: "",
            createdAt: now,
            updatedAt: now,
          };
      }
      if (known) {
        if (known.contentHash === contentHash) return { skipped: true, ticket: known };
        const { correlation_id: _c, type: _t, ...update } = fields;
        update.work_notes = `Clarion update: risk ${view.risk} (${view.level}), status ${view.status}.`;
        const r = await call<{ result: Json }>("PATCH", `${base}/${known.externalId}?sysparm_exclude_reference_link=true`, update);
        const t = { ...known, status: serviceNowStatus(o.table, r.body.result.state), contentHash, updatedAt: now };
        await ctx.repo.upsertTicket(t);
        return { statusCode: r.status, ticket: t };
      }
      const r = await call<{ result: Json }>("POST", `${base}?sysparm_exclude_reference_link=true`, fields);
      const rec = r.body.result;
      const t: TicketRecord = {
        findingId: view.id,
        sink: name,
        externalId: rec.sys_id,
        number: rec.number,
        url: `${base}/${rec.sys_id}`,
        status: serviceNowStatus(o.table, rec.state),
        contentHash,
        createdAt: now,
        updatedAt: now,
      };
      await ctx.repo.upsertTicket(t);
      return { statusCode: r.status, ticket: t };
    },
    async ticketStatus(t) {
      const r = await call<{ result: Json }>(
        "GET",
        `${base}/${t.externalId}?sysparm_fields=state,number&sysparm_exclude_reference_link=true`,
      );
      return serviceNowStatus(o.table, r.body.result.state);
    },
    close: () => http.close(),
  };
}

// ------------------------------------------------------------------------------------------------- Jira

export interface JiraOptions extends HttpSinkOptions {
  siteUrl: string;
  email: string;
  apiToken: string;
  project: string;
  issueType?: string;
}

/** Jira Cloud v3: issues with ADF descriptions, found again by the `clarion-{findingId}` label. */
export function jiraSink(o: JiraOptions): Sink {
  const http = pipeline(o);
  const name = o.name ?? "jira";
  const api = `${o.siteUrl.replace(/\/+$/, "")}/rest/api/3`;
  const call = classifiedCaller<"GET" | "POST" | "PUT">(http, { authorization: basic(o.email, o.apiToken) });
  return {
    name,
    type: "jira",
    async deliver(msg, ctx) {
      const { view, contentHash } = ticketPayload(msg);
      const fields = jiraIssueFields(view, o.project, o.issueType);
      const now = ctx.now().toISOString();
      let known = await ctx.repo.getTicket(view.id, name);
      if (!known) {
        const r = await call<{ issues: Json[] }>("POST", `${api}/search/jql`, {
          jql: `project = ${o.project} AND labels = "${jiraLabel(view.id)}"`,
          fields: ["status"],
          maxResults: 1,
        });
        const hit = r.body.issues?.[0];
        if (hit)
          known = {
            findingId: view.id,
            sink: name,
            externalId: hit.id,
            number: hit.key,
            url: `${o.siteUrl.replace(/\/+$/, "")}/browse/${hit.key}`,
            status: jiraStatus(hit.fields?.status?.statusCategory?.key, hit.fields?.status?.name),
            contentHash: "",
            createdAt: now,
            updatedAt: now,
          };
      }
      if (known) {
        if (known.contentHash === contentHash) return { skipped: true, ticket: known };
        const { project: _p, issuetype: _i, labels: _l, ...update } = fields;
        const r = await call("PUT", `${api}/issue/${known.number}`, { fields: update });
        const t = { ...known, contentHash, updatedAt: now };
        await ctx.repo.upsertTicket(t);
        return { statusCode: r.status, ticket: t };
      }
      const r = await call<{ id: string; key: string }>("POST", `${api}/issue`, { fields });
      const t: TicketRecord = {
        findingId: view.id,
        sink: name,
        externalId: r.body.id,
        number: r.body.key,
        url: `${o.siteUrl.replace(/\/+$/, "")}/browse/${r.body.key}`,
        status: "new",
        contentHash,
        createdAt: now,
        updatedAt: now,
      };
      await ctx.repo.upsertTicket(t);
      return { statusCode: r.status, ticket: t };
    },
    async ticketStatus(t) {
      const r = await call<{ fields: Json }>("GET", `${api}/issue/${t.number}?fields=status`);
      return jiraStatus(r.body.fields?.status?.statusCategory?.key, r.body.fields?.status?.name);
    },
    close: () => http.close(),
  };
}

// ------------------------------------------------------------------------------------------ chat hooks

export interface WebhookUrlOptions extends HttpSinkOptions {
  url: string;
}

/** Teams Workflows (or legacy incoming) webhook with an Adaptive Card; 202 (Workflows) or 200 + `1` (legacy). */
export function teamsSink(o: WebhookUrlOptions): Sink {
  const http = pipeline(o);
  return {
    name: o.name ?? "teams",
    type: "teams",
    async deliver(msg) {
      const body = teamsMessage(noticeOf(msg));
      if (Buffer.byteLength(JSON.stringify(body)) > 20 * 1024) throw new PermanentDeliveryError("Teams card over 20 KB");
      const r = await sendJson(http, { method: "POST", url: o.url, body }).catch(classify);
      // Legacy connectors answer 200 with an error text; only `1` (or 202 from Workflows) is success.
      if (r.status === 200 && r.body !== undefined && String(r.body) !== "1")
        throw new Error(`Teams webhook answered: ${String(r.body).slice(0, 200)}`);
      return { statusCode: r.status };
    },
    close: () => http.close(),
  };
}

/** Slack incoming webhook with Block Kit; success is the plain-text body `ok`. */
export function slackSink(o: WebhookUrlOptions): Sink {
  const http = pipeline(o);
  return {
    name: o.name ?? "slack",
    type: "slack",
    async deliver(msg) {
      const r = await sendJson(http, { method: "POST", url: o.url, body: slackMessage(noticeOf(msg)) }).catch(classify);
      if (String(r.body) !== "ok") throw new Error(`Slack webhook answered: ${String(r.body).slice(0, 200)}`);
      return { statusCode: r.status };
    },
    close: () => http.close(),
  };
}

export interface SignedWebhookOptions extends WebhookUrlOptions {
  secret: string;
}

/** Signature over `{timestamp}.{body}`: `sha256=` + hex HMAC-SHA256 with the shared secret. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex")}`;
}

/**
 * Generic webhook: JSON `{topic, findingId, idempotencyKey, payload}`, headers `X-Clarion-Signature`,
 * `X-Clarion-Timestamp` and `X-Clarion-Delivery` (stable per message, for the receiver to dedupe).
 */
export function webhookSink(o: SignedWebhookOptions): Sink {
  const http = pipeline(o);
  return {
    name: o.name ?? "webhook",
    type: "webhook",
    async deliver(msg, ctx) {
      const body = JSON.stringify({ topic: msg.topic, findingId: msg.findingId, idempotencyKey: msg.idempotencyKey, payload: msg.payload });
      const ts = String(Math.floor(ctx.now().getTime() / 1000));
      const r = await sendJson(http, {
        method: "POST",
        url: o.url,
        body,
        headers: {
          "content-type": "application/json",
          "x-clarion-timestamp": ts,
          "x-clarion-signature": signWebhook(o.secret, ts, body),
          "x-clarion-delivery": msg.id,
        },
      }).catch(classify);
      return { statusCode: r.status };
    },
    close: () => http.close(),
  };
}

// ------------------------------------------------------------------------------------ Logs Ingestion

export interface SentinelOptions extends HttpSinkOptions {
  /** DCE or DCR logs-ingestion endpoint. */
  endpoint: string;
  dcrImmutableId: string;
  streamName?: string;
  credential?: TokenCredential;
  token?: string;
  /** Max bytes per call (default 1,000,000; the service limit is 1 MB). */
  maxBytes?: number;
}

/** Splits rows into JSON arrays of at most `maxBytes` each (a single larger row is sent alone). */
export function batchRows(rows: Json[], maxBytes: number): Json[][] {
  const out: Json[][] = [];
  let cur: Json[] = [];
  let size = 2;
  for (const r of rows) {
    const n = Buffer.byteLength(JSON.stringify(r)) + 1;
    if (cur.length && size + n > maxBytes) {
      out.push(cur);
      cur = [];
      size = 2;
    }
    cur.push(r);
    size += n;
  }
  if (cur.length) out.push(cur);
  return out;
}

/**
 * Sentinel `AI_CSPMRecommendations_CL` through the Logs Ingestion API (REST contract 4, through the shared
 * pipeline with a `https://monitor.azure.com/.default` token): batches ≤ 1 MB, halves a batch on 413, a 429 waits
 * for its `Retry-After`.
 */
export function sentinelSink(o: SentinelOptions): Sink {
  const credential = o.credential ?? (o.token ? new StaticTokenCredential(o.token) : new DefaultAzureCredential());
  const http = pipeline(o, { credential, scopes: "https://monitor.azure.com/.default" });
  const stream = o.streamName ?? "Custom-AI_CSPMRecommendations_CL";
  const url = `${o.endpoint.replace(/\/+$/, "")}/dataCollectionRules/${o.dcrImmutableId}/streams/${stream}?api-version=2023-01-01`;
  const send = async (rows: Json[]): Promise<number> => {
    let r: Awaited<ReturnType<typeof sendJson>>;
    try {
      r = await sendJson(http, { method: "POST", url, body: rows, acceptStatus: [429] });
    } catch (e) {
      if (isHttpError(e) && e.statusCode === 413 && rows.length > 1) {
        const mid = Math.ceil(rows.length / 2);
        return (await send(rows.slice(0, mid))) + (await send(rows.slice(mid)));
      }
      return classify(e);
    }
    // Throttled: the outbox comes back no sooner than the service's Retry-After.
    if (r.status === 429) throw new RetryLaterError("Logs Ingestion throttled: 429", 429, retryAfterMs(r.headers, 429));
    return 1;
  };
  return {
    name: o.name ?? "sentinel",
    type: "sentinel",
    async deliver(msg) {
      const rows = (msg.payload as { rows?: Json[] })?.rows;
      if (!Array.isArray(rows)) throw new PermanentDeliveryError(`message ${msg.id} has no rows`);
      let calls = 0;
      for (const b of batchRows(rows, o.maxBytes ?? 1_000_000)) calls += await send(b);
      return { statusCode: 204, skipped: calls === 0 };
    },
    close: () => http.close(),
  };
}
