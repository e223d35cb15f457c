import { createHash, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ArmResource } from "../src/domain/resource";
import { makeSelfSignedCert, type SelfSignedCert } from "./cert";
import { KQL_TABLES, KqlError, type KqlResult, parseKql, runKql } from "./kql";
import { KqlTableIndex } from "./kql-index";
import { changeRow, cloneTenant, contentHash, type SimTenant } from "./tenant";
import { closeNow, listenOnLoopback } from "./loopback";

/** Fault injection: a fraction of requests fails, split over the kinds by weight. */
export interface FaultConfig {
  /** 0..1, fraction of requests that fail (default 0). */
  rate: number;
  /** Relative weights (default equal over 429, 5xx and timeouts). */
  kinds?: { throttle?: number; serverError?: number; timeout?: number };
  /** How long a "timeout" holds the request before answering 504 (default 30 s; the client aborts first). */
  timeoutHoldMs?: number;
  /** Retry-After seconds on injected 429s (default 1). */
  retryAfterSeconds?: number;
  /** The same request (method + URL + body) fails at most this many times in a row (default 3). */
  maxPerRequest?: number;
  seed?: number;
}

export interface SimulatorOptions {
  tenant: SimTenant;
  /** The bearer token accepted (default `clarion-simulator-token`). */
  token?: string;
  faults?: FaultConfig;
  /** Page size of REST lists with `nextLink` (default 100). */
  pageSize?: number;
  /** Resource Graph user quota per window (default 10,000 per 5 s). */
  argQuota?: { limit: number; windowMs: number };
  /** Added to every answer (ms), e.g. to make a crash test land mid-sync. */
  latencyMs?: number;
  /** Certificate to reuse; a fresh one is made otherwise. */
  cert?: SelfSignedCert;
}

export interface SimulatorStats {
  requests: number;
  /** Requests being answered right now, and the most there have been at once. */
  inFlight: number;
  maxInFlight: number;
  faults: { throttle: number; serverError: number; timeout: number };
  byRoute: Record<string, number>;
}

const ARM_TYPES: Record<string, string> = {
  "microsoft.security/assessments": "Microsoft.Security/assessments",
  "microsoft.security/assessments/subassessments": "Microsoft.Security/assessments/subAssessments",
  "microsoft.security/securescores": "Microsoft.Security/secureScores",
  "microsoft.security/securescores/securescorecontrols": "Microsoft.Security/secureScores/secureScoreControls",
  "microsoft.security/regulatorycompliancestandards": "Microsoft.Security/regulatoryComplianceStandards",
  "microsoft.security/regulatorycompliancestandards/regulatorycompliancecontrols":
    "Microsoft.Security/regulatoryComplianceStandards/regulatoryComplianceControls",
  "microsoft.security/regulatorycompliancestandards/regulatorycompliancecontrols/regulatorycomplianceassessments":
    "Microsoft.Security/regulatoryComplianceStandards/regulatoryComplianceControls/regulatoryComplianceAssessments",
  "microsoft.security/assessments/governanceassignments": "Microsoft.Security/assessments/governanceAssignments",
  "microsoft.security/pricings": "Microsoft.Security/pricings",
};

class HttpFail extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const lc = (s: unknown) => String(s ?? "").toLowerCase();
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
const unb64 = (s: string): Record<string, unknown> => {
  try {
    return JSON.parse(Buffer.from(s, "base64url").toString("utf8"));
  } catch {
    throw new HttpFail(400, "InvalidSkipToken", "The skip token is invalid.");
  }
};

/**
 * A local HTTPS simulator of the Azure APIs Clarion calls (see docs/azure.md for the route list). Serves a
 * `SimTenant`; checks the bearer token; pages like the real services (ARG `$skipToken` in the body, ARM
 * `nextLink`, PolicyInsights `@odata.nextLink`); emits ARM request-id and rate-limit headers and ARG quota
 * headers; injects 429 / 5xx / timeouts by config. Binds 127.0.0.1 on an ephemeral port.
 */
/** Datetime properties kept in time order per table: the ones incremental reads filter on. */
const INDEXED_DATETIMES: Record<string, string[]> = {
  securityresources: ["properties.status.statusChangeDate", "properties.status.firstEvaluationDate", "properties.timeGenerated"],
  resourcechanges: ["properties.changeAttributes.timestamp"],
};

export class AzureSimulator {
  private tenant: SimTenant;
  private changes: ArmResource[] = [];
  private version = 0;
  private server?: Server;
  private rand: () => number;
  private faultCounts = new Map<string, number>();
  private quota = new Map<string, { start: number; used: number }>();
  private cache = new Map<string, KqlResult>();
  /** Secondary indexes per ARG table, rebuilt whenever the tenant changes (see kql-index.ts). */
  private indexes = new Map<string, KqlTableIndex>();
  readonly stats: SimulatorStats = { requests: 0, inFlight: 0, maxInFlight: 0, faults: { throttle: 0, serverError: 0, timeout: 0 }, byRoute: {} };
  readonly token: string;
  readonly cert: SelfSignedCert;
  url = "";
  /** Called for each request after routing (test hook). */
  onRequest?: (route: string) => void;

  constructor(private readonly opts: SimulatorOptions) {
    this.tenant = cloneTenant(opts.tenant);
    this.token = opts.token ?? "clarion-simulator-token";
    this.cert = opts.cert ?? makeSelfSignedCert();
    this.rand = mulberry32(opts.faults?.seed ?? 42);
    this.reindex();
  }

  /** The tenant as the simulator currently serves it (a copy). */
  snapshot(): SimTenant {
    return cloneTenant(this.tenant);
  }

  setFaults(f: FaultConfig | undefined): void {
    this.opts.faults = f;
    this.rand = mulberry32(f?.seed ?? 42);
    this.faultCounts.clear();
  }

  setLatency(ms: number): void {
    this.opts.latencyMs = ms;
  }

  /**
   * Changes the tenant the way Azure would show it: resource creations, updates and deletions are recorded in
   * ARG `resourcechanges`; an assessment whose status code changes gets a new `statusChangeDate`; a changed
   * sub-assessment gets a new `timeGenerated`.
   */
  updateTenant(mutate: (t: SimTenant) => void, at = new Date()): void {
    // What the comparison needs from before the change (content hashes, identities, status codes), not a deep
    // copy of the tenant, whose garbage would otherwise be collected in the middle of the client's next sync.
    const ASSESS = "microsoft.security/assessments";
    const SUB = "microsoft.security/assessments/subassessments";
    const ident = (r: ArmResource) => ({ id: r.id, name: r.name, type: r.type, subscriptionId: r.subscriptionId, resourceGroup: r.resourceGroup, tenantId: r.tenantId }) as ArmResource;
    const oldRes = new Map(this.tenant.resources.map((r) => [lc(r.id), { hash: contentHash(r), ident: ident(r) }]));
    const oldSec = new Map<string, { code?: unknown; hash?: string }>();
    for (const r of this.tenant.securityResources) {
      const t = lc(r.type);
      if (t === ASSESS) oldSec.set(lc(r.id), { code: (r.properties as any)?.status?.code });
      else if (t === SUB) oldSec.set(lc(r.id), { hash: contentHash(r) });
    }
    mutate(this.tenant);
    const iso = at.toISOString();
    const newRes = new Map(this.tenant.resources.map((r) => [lc(r.id), r]));
    for (const [k, r] of newRes) {
      const o = oldRes.get(k);
      if (!o) this.changes.push(changeRow(r, "Create", iso));
      else if (o.hash !== contentHash(r)) this.changes.push(changeRow(r, "Update", iso));
    }
    for (const [k, o] of oldRes) if (!newRes.has(k)) this.changes.push(changeRow(o.ident, "Delete", iso));
    for (const r of this.tenant.securityResources) {
      const o = oldSec.get(lc(r.id));
      const t = lc(r.type);
      const p = (r.properties ?? {}) as Record<string, any>;
      if (t === ASSESS) {
        if (!o || o.code !== p.status?.code) p.status = { ...(p.status ?? {}), statusChangeDate: iso, ...(o ? {} : { firstEvaluationDate: iso }) };
      } else if (t === SUB) {
        if (!o || o.hash !== contentHash(r)) p.timeGenerated = iso;
      }
    }
    this.version++;
    this.cache.clear();
    this.reindex();
  }

  /** Rebuilds the ARG tables' indexes (after a change, as the service re-indexes what it ingests). */
  private reindex(): void {
    this.indexes.clear();
    for (const table of KQL_TABLES) this.indexes.set(table, new KqlTableIndex(this.argRows(table), INDEXED_DATETIMES[table] ?? []));
  }

  async start(): Promise<string> {
    this.server = createServer({ key: this.cert.key, cert: this.cert.cert, keepAlive: true }, (req, res) => {
      this.stats.inFlight++;
      this.stats.maxInFlight = Math.max(this.stats.maxInFlight, this.stats.inFlight);
      res.once("close", () => this.stats.inFlight--);
      this.handle(req, res).catch((e) => {
        if (!res.headersSent) this.send(res, 500, { error: { code: "InternalServerError", message: String(e?.message ?? e) } });
      });
    });
    this.server.keepAliveTimeout = 30_000;
    this.url = await listenOnLoopback(this.server);
    return this.url;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    await closeNow(s);
  }

  // ------------------------------------------------------------------ plumbing

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.writableEnded || res.destroyed) return;
    const text = body === undefined ? "" : JSON.stringify(body);
    const rid = randomUUID();
    res.writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      "x-ms-request-id": rid,
      "x-ms-correlation-request-id": rid,
      "x-ms-routing-request-id": `LOCAL:${new Date().toISOString().replace(/[-:]|\.\d+/g, "")}:${rid}`,
      ...headers,
      "content-length": String(Buffer.byteLength(text)),
    });
    res.end(text);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.requests++;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const bodyText = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", this.url);
    const method = (req.method ?? "GET").toUpperCase();
    const path = url.pathname.replace(/\/+$/, "");
    const isLa = path.toLowerCase().startsWith("/v1/");
    const headers: Record<string, string> = {};
    if (req.headers["x-ms-client-request-id"] && req.headers["x-ms-return-client-request-id"] === "true")
      headers["x-ms-client-request-id"] = String(req.headers["x-ms-client-request-id"]);

    const auth = req.headers.authorization ?? "";
    if (auth !== `Bearer ${this.token}`) {
      const code = auth ? "InvalidAuthenticationToken" : "AuthenticationFailed";
      return this.send(
        res,
        401,
        { error: { code, message: auth ? "The access token is invalid." : "Authentication failed. The 'Authorization' header is missing." } },
        { ...headers, "www-authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="The access token is invalid"' },
      );
    }

    const fault = this.pickFault(`${method} ${url.pathname}${url.search} ${bodyText}`);
    if (fault === "throttle") {
      this.stats.faults.throttle++;
      const ra = String(this.opts.faults?.retryAfterSeconds ?? 1);
      const argHeaders: Record<string, string> = path.toLowerCase().endsWith("microsoft.resourcegraph/resources")
        ? { "x-ms-user-quota-remaining": "0", "x-ms-user-quota-resets-after": `00:00:${ra.padStart(2, "0")}` }
        : { "x-ms-ratelimit-remaining-subscription-reads": "0" };
      return this.send(res, 429, { error: { code: "SubscriptionRequestsThrottled", message: "Number of requests exceeded the limit. Please retry later." } }, { ...headers, "retry-after": ra, ...argHeaders });
    }
    if (fault === "serverError") {
      this.stats.faults.serverError++;
      const status = [500, 502, 503, 504][Math.floor(this.rand() * 4)];
      return this.send(res, status, { error: { code: status === 503 ? "ServiceUnavailable" : "InternalServerError", message: "Injected transient failure." } }, headers);
    }
    if (fault === "timeout") {
      this.stats.faults.timeout++;
      const hold = this.opts.faults?.timeoutHoldMs ?? 30_000;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, hold);
        res.on("close", () => {
          clearTimeout(t);
          resolve();
        });
      });
      return this.send(res, 504, { error: { code: "GatewayTimeout", message: "The gateway did not receive a response in time." } }, headers);
    }
    if (this.opts.latencyMs) await new Promise((r) => setTimeout(r, this.opts.latencyMs));

    try {
      const out = this.route(method, path, url, bodyText, auth);
      this.onRequest?.(out.route);
      this.stats.byRoute[out.route] = (this.stats.byRoute[out.route] ?? 0) + 1;
      const extra: Record<string, string> = { ...headers, ...(out.headers ?? {}) };
      if (!isLa) {
        const kind = method === "GET" ? "reads" : method === "DELETE" ? "deletes" : "writes";
        extra[`x-ms-ratelimit-remaining-subscription-${kind}`] = "249";
        extra[`x-ms-ratelimit-remaining-tenant-${kind}`] = "249";
      }
      this.send(res, out.status ?? 200, out.body, extra);
    } catch (e) {
      if (e instanceof HttpFail) {
        const body = isLa
          ? { error: { code: e.code, message: e.message, correlationId: randomUUID(), ...e.extra } }
          : { error: { code: e.code, message: e.message, ...e.extra } };
        return this.send(res, e.status, body, { ...headers, ...e.headers });
      }
      throw e;
    }
  }

  private pickFault(key: string): "throttle" | "serverError" | "timeout" | undefined {
    const f = this.opts.faults;
    if (!f || f.rate <= 0) return undefined;
    const digest = createHash("sha1").update(key).digest("hex");
    if (this.rand() >= f.rate) {
      this.faultCounts.delete(digest);
      return undefined;
    }
    const n = this.faultCounts.get(digest) ?? 0;
    if (n >= (f.maxPerRequest ?? 3)) {
      this.faultCounts.delete(digest);
      return undefined;
    }
    this.faultCounts.set(digest, n + 1);
    const w = { throttle: f.kinds?.throttle ?? 1, serverError: f.kinds?.serverError ?? 1, timeout: f.kinds?.timeout ?? 1 };
    let x = this.rand() * (w.throttle + w.serverError + w.timeout);
    if ((x -= w.throttle) < 0) return "throttle";
    if ((x -= w.serverError) < 0) return "serverError";
    return "timeout";
  }

  // ------------------------------------------------------------------ routing

  private route(
    method: string,
    path: string,
    url: URL,
    bodyText: string,
    auth: string,
  ): { route: string; status?: number; body: unknown; headers?: Record<string, string> } {
    const p = path.toLowerCase();
    const q = url.searchParams;
    const apiVersion = q.get("api-version");
    if (!p.startsWith("/v1/") && !apiVersion)
      throw new HttpFail(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
    let m: RegExpExecArray | null;

    if (method === "POST" && p === "/providers/microsoft.resourcegraph/resources")
      return { route: "arg", ...this.arg(bodyText, auth) };

    if (method === "POST" && (m = /^\/v1\/workspaces\/([^/]+)\/query$/.exec(p)))
      return { route: "la.query", body: this.laQuery(bodyText) };

    if (method !== "GET" && !p.includes("/microsoft.policyinsights/"))
      throw new HttpFail(405, "MethodNotAllowed", `The simulator does not implement ${method} ${path}.`);

    // Defender for Cloud
    if ((m = /^(\/subscriptions\/[^/]+(?:\/resourcegroups\/[^/]+)?)\/providers\/microsoft\.security\/assessments$/.exec(p)))
      return { route: "security.assessments", body: this.page(url, this.sec("microsoft.security/assessments", m[1]).map((r) => restShape(r, q.get("$expand")))) };
    if ((m = /^(\/subscriptions\/.+)\/providers\/microsoft\.security\/assessments\/([^/]+)\/subassessments$/.exec(p)))
      return { route: "security.subAssessments", body: this.page(url, this.sec("microsoft.security/assessments/subassessments", `${m[1]}/providers/microsoft.security/assessments/${m[2]}/`).map((r) => restShape(r))) };
    if ((m = /^(\/subscriptions\/.+)\/providers\/microsoft\.security\/assessments\/([^/]+)\/governanceassignments$/.exec(p)))
      return { route: "security.governanceAssignments", body: this.page(url, this.sec("microsoft.security/assessments/governanceassignments", `${m[1]}/providers/microsoft.security/assessments/${m[2]}/`).map((r) => restShape(r))) };
    if ((m = /^(\/subscriptions\/.+)\/providers\/microsoft\.security\/assessments\/([^/]+)$/.exec(p))) {
      const id = `${m[1]}/providers/microsoft.security/assessments/${m[2]}`;
      const row = this.tenant.securityResources.find((r) => lc(r.id) === id);
      if (!row) throw new HttpFail(404, "ResourceNotFound", `The assessment '${m[2]}' was not found.`);
      return { route: "security.assessment", body: restShape(row, q.get("$expand")) };
    }
    if ((m = /^(\/subscriptions\/[^/]+(?:\/resourcegroups\/[^/]+)?)\/providers\/microsoft\.security\/subassessments$/.exec(p)))
      return { route: "security.subAssessments", body: this.page(url, this.sec("microsoft.security/assessments/subassessments", m[1]).map((r) => restShape(r))) };
    if (p === "/providers/microsoft.security/assessmentmetadata" || /^\/subscriptions\/[^/]+\/providers\/microsoft\.security\/assessmentmetadata$/.test(p))
      return { route: "security.assessmentMetadata", body: this.page(url, this.metadata()) };
    if ((m = /^(\/subscriptions\/[^/]+)\/providers\/microsoft\.security\/securescores$/.exec(p)))
      return { route: "security.secureScores", body: this.page(url, this.sec("microsoft.security/securescores", m[1]).map((r) => restShape(r))) };
    if ((m = /^(\/subscriptions\/[^/]+)\/providers\/microsoft\.security\/securescores\/([^/]+)\/securescorecontrols$/.exec(p)))
      return { route: "security.secureScoreControls", body: this.page(url, this.sec("microsoft.security/securescores/securescorecontrols", `${m[1]}/providers/microsoft.security/securescores/${m[2]}/`).map((r) => restShape(r, q.get("$expand")))) };
    if ((m = /^(\/subscriptions\/[^/]+)\/providers\/microsoft\.security\/securescorecontrols$/.exec(p)))
      return { route: "security.secureScoreControls", body: this.page(url, this.sec("microsoft.security/securescores/securescorecontrols", m[1]).map((r) => restShape(r, q.get("$expand")))) };
    if ((m = /^(\/subscriptions\/[^/]+)\/providers\/microsoft\.security\/regulatorycompliancestandards$/.exec(p)))
      return { route: "security.regulatoryStandards", body: this.page(url, this.sec("microsoft.security/regulatorycompliancestandards", m[1]).map((r) => restShape(r))) };
    if ((m = /^(\/subscriptions\/[^/]+\/providers\/microsoft\.security\/regulatorycompliancestandards\/[^/]+)\/regulatorycompliancecontrols$/.exec(p)))
      return { route: "security.regulatoryControls", body: this.page(url, this.sec("microsoft.security/regulatorycompliancestandards/regulatorycompliancecontrols", `${m[1]}/`).map((r) => restShape(r))) };
    if ((m = /^(\/subscriptions\/[^/]+\/providers\/microsoft\.security\/regulatorycompliancestandards\/[^/]+\/regulatorycompliancecontrols\/[^/]+)\/regulatorycomplianceassessments$/.exec(p)))
      return { route: "security.regulatoryAssessments", body: this.page(url, this.sec("microsoft.security/regulatorycompliancestandards/regulatorycompliancecontrols/regulatorycomplianceassessments", `${m[1]}/`).map((r) => restShape(r))) };
    if ((m = /^(\/subscriptions\/[^/]+)(\/resourcegroups\/[^/]+)?\/providers\/microsoft\.security\/(?:locations\/([^/]+)\/)?alerts$/.exec(p))) {
      const [, sub, rg, loc] = m;
      const alerts = this.tenant.alerts.filter((a) => {
        const id = lc(a.id);
        if (!id.startsWith(`${sub}/`)) return false;
        if (rg && !id.startsWith(`${sub}${rg}/`)) return false;
        if (loc && !id.includes(`/locations/${loc}/`)) return false;
        return true;
      });
      return { route: "security.alerts", body: this.page(url, alerts) };
    }

    // Activity Log
    if ((m = /^\/subscriptions\/([^/]+)\/providers\/microsoft\.insights\/eventtypes\/management\/values$/.exec(p)))
      return { route: "activityLog", body: this.page(url, this.activity(m[1], q.get("$filter"), q.get("$select"))) };

    // Policy
    if ((m = /^((?:\/subscriptions\/[^/]+)|(?:\/providers\/microsoft\.management\/managementgroups\/[^/]+))?\/providers\/microsoft\.authorization\/(policydefinitions|policyassignments|policyexemptions)$/.exec(p))) {
      const scope = m[1] ?? "";
      const kind = m[2];
      const pol = this.tenant.policy ?? {};
      const list = (kind === "policydefinitions" ? pol.definitions : kind === "policyassignments" ? pol.assignments : pol.exemptions) ?? [];
      const filtered = list.filter((d) => {
        const id = lc(d.id);
        if (!scope) return kind === "policydefinitions" ? id.startsWith("/providers/microsoft.authorization/") : true;
        // At a scope: objects defined there, plus built-ins for definitions (as ARM does).
        return id.startsWith(`${scope}/`) || (kind === "policydefinitions" && id.startsWith("/providers/microsoft.authorization/"));
      });
      return { route: `policy.${kind}`, body: this.page(url, filtered) };
    }
    if (method === "POST" && (m = /^(\/subscriptions\/[^/]+|\/providers\/microsoft\.management\/managementgroups\/[^/]+)\/providers\/microsoft\.policyinsights\/policystates\/(latest|default)\/queryresults$/.exec(p)))
      return { route: "policy.states", body: this.policyStates(url, m[1]) };

    throw new HttpFail(404, "InvalidResourceType", `The simulator has no route for ${method} ${path}.`);
  }

  private sec(type: string, prefix: string): ArmResource[] {
    const pre = lc(prefix);
    return this.tenant.securityResources.filter((r) => lc(r.type) === type && lc(r.id).startsWith(pre.endsWith("/") ? pre : `${pre}/`));
  }

  private metadata(): Record<string, unknown>[] {
    const seen = new Map<string, Record<string, unknown>>();
    for (const r of this.tenant.securityResources) {
      if (lc(r.type) !== "microsoft.security/assessments") continue;
      const md = (r.properties as any)?.metadata;
      if (!md || seen.has(lc(r.name))) continue;
      seen.set(lc(r.name), { id: `/providers/Microsoft.Security/assessmentMetadata/${r.name}`, name: r.name, type: "Microsoft.Security/assessmentMetadata", properties: md });
    }
    return [...seen.values()].sort((a, b) => String(a.name).localeCompare(String(b.name)));
  }

  /** ARM list page: `{ value, nextLink }`, nextLink absolute with api-version and `$skipToken`. */
  private page(url: URL, items: unknown[], odata = false): Record<string, unknown> {
    const size = this.opts.pageSize ?? 100;
    const tok = url.searchParams.get("$skipToken") ?? url.searchParams.get("$skiptoken");
    const offset = tok ? Number(unb64(tok).o ?? 0) : 0;
    const value = items.slice(offset, offset + size);
    let next: string | null = null;
    if (offset + size < items.length) {
      const n = new URL(url.toString());
      n.searchParams.delete("$skiptoken");
      n.searchParams.set(odata ? "$skiptoken" : "$skipToken", b64({ o: offset + size, v: this.version }));
      next = n.toString().replace(/%24/g, "$");
    }
    if (odata) return { "@odata.context": `${this.url}${url.pathname}/$metadata`, "@odata.count": value.length, value, ...(next ? { "@odata.nextLink": next } : {}) };
    return { value, nextLink: next };
  }

  // ------------------------------------------------------------------ Resource Graph

  private arg(bodyText: string, auth: string): { body: unknown; headers: Record<string, string>; status?: number } {
    const headers = this.argQuota(auth);
    if (headers["x-ms-user-quota-remaining"] === "-1") {
      const retryAfter = String(Math.ceil(Number(headers["x-sim-reset-ms"]) / 1000));
      headers["x-ms-user-quota-remaining"] = "0";
      delete headers["x-sim-reset-ms"];
      throw new HttpFail(429, "RateLimiting", "Please provide below info when asking for support: the user quota is exhausted.", {}, { ...headers, "retry-after": retryAfter });
    }
    delete headers["x-sim-reset-ms"];
    let body: any;
    try {
      body = JSON.parse(bodyText || "{}");
    } catch {
      throw new HttpFail(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized.");
    }
    if (typeof body.query !== "string" || !body.query.trim())
      throw new HttpFail(400, "BadRequest", "The 'query' property is required.", { details: [{ code: "InvalidQuery", message: "Query is invalid." }] });
    const subs: string[] | undefined = body.subscriptions;
    const mgs: string[] | undefined = body.managementGroups;
    if (subs && subs.length > 1000) throw new HttpFail(400, "BadRequest", "Too many subscriptions (at most 1000 per request).");
    const opt = body.options ?? {};
    const top = opt.$top ?? 1000;
    if (!Number.isInteger(top) || top < 1 || top > 1000) throw new HttpFail(400, "BadRequest", "options.$top must be between 1 and 1000.");
    let parsed;
    try {
      parsed = parseKql(body.query);
    } catch (e) {
      if (e instanceof KqlError)
        throw new HttpFail(400, "BadRequest", `Please provide below info when asking for support: timestamp = ${new Date().toISOString()}, correlationId = ${randomUUID()}.`, {
          details: [
            { code: "InvalidQuery", message: `Query is invalid. ${e.message}` },
            { code: "ParserFailure", message: "ParserFailure", line: 1, characterPositionInLine: e.position, token: "" },
          ],
        });
      throw e;
    }
    const scopeKey = JSON.stringify([body.query, subs ?? null, mgs ?? null, this.version]);
    // Like ARG, a query is evaluated once and its pages are served from that result (keyed by query, scope and
    // tenant version, so a change to the tenant starts a new result and old $skipTokens stop matching).
    let result = this.cache.get(scopeKey);
    if (!result) {
      result = runKql(parsed, this.argTable(parsed.table, subs, mgs, this.indexes.get(parsed.table)?.candidates(parsed)));
      if (this.cache.size > 16) this.cache.clear();
      this.cache.set(scopeKey, result);
    }
    const { rows, ...meta } = result;
    const hash = createHash("sha1").update(scopeKey).digest("hex").slice(0, 12);
    let offset = opt.$skip ?? 0;
    if (opt.$skipToken) {
      const t = unb64(String(opt.$skipToken));
      if (t.h !== hash) throw new HttpFail(400, "BadRequest", "The $skipToken does not belong to this query and scope.", { details: [{ code: "InvalidSkipToken", message: "Invalid skip token." }] });
      offset = opt.$skip ?? Number(t.o);
    }
    const pageRows = rows.slice(offset, offset + top);
    const more = offset + top < rows.length;
    const canPage = !meta.limited && !meta.allDynamic;
    const out: Record<string, unknown> = {
      totalRecords: rows.length,
      count: pageRows.length,
      resultTruncated: more && !canPage ? "true" : "false",
      facets: [],
      data: opt.resultFormat === "table" ? toTable(pageRows) : pageRows,
    };
    if (more && canPage) out.$skipToken = b64({ o: offset + top, h: hash });
    return { body: out, headers };
  }

  private argQuota(auth: string): Record<string, string> {
    const { limit, windowMs } = this.opts.argQuota ?? { limit: 10_000, windowMs: 5000 };
    const now = Date.now();
    let w = this.quota.get(auth);
    if (!w || now - w.start >= windowMs) {
      w = { start: now, used: 0 };
      this.quota.set(auth, w);
    }
    const resetMs = Math.max(0, w.start + windowMs - now);
    const fmt = (ms: number) => {
      const s = Math.ceil(ms / 1000);
      return `${String(Math.floor(s / 3600)).padStart(2, "0")}:${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
    };
    if (w.used >= limit) return { "x-ms-user-quota-remaining": "-1", "x-ms-user-quota-resets-after": fmt(resetMs), "x-sim-reset-ms": String(resetMs) };
    w.used++;
    return { "x-ms-user-quota-remaining": String(limit - w.used), "x-ms-user-quota-resets-after": fmt(resetMs), "x-sim-reset-ms": "0" };
  }

  private argRows(table: string): Record<string, unknown>[] {
    const t = this.tenant;
    return (
      table === "resources"
        ? t.resources
        : table === "resourcecontainers"
          ? t.resourceContainers
          : table === "securityresources"
            ? t.securityResources
            : table === "authorizationresources"
              ? t.authorizationResources
              : this.changes
    ) as Record<string, unknown>[];
  }

  /** The table's rows in scope: `from` (an index's candidates) or the whole table, kept to `subs` / `mgs`. */
  private argTable(table: string, subs?: string[], mgs?: string[], from?: readonly Record<string, unknown>[]): Record<string, unknown>[] {
    const rows = (from ?? this.argRows(table)) as Record<string, unknown>[];
    let allowed: Set<string> | undefined;
    if (subs?.length) allowed = new Set(subs.map(lc));
    else if (mgs?.length) allowed = this.mgSubscriptions(mgs);
    if (!allowed) return rows;
    return rows.filter((r) => {
      const s = lc(r.subscriptionId);
      return s ? allowed.has(s) : false;
    });
  }

  private mgSubscriptions(mgs: string[]): Set<string> {
    const want = new Set(mgs.map(lc));
    const out = new Set<string>();
    for (const [mg, subs] of Object.entries(this.tenant.managementGroups ?? {})) if (want.has(lc(mg))) for (const s of subs) out.add(lc(s));
    for (const c of this.tenant.resourceContainers) {
      if (lc(c.type) !== "microsoft.resources/subscriptions") continue;
      const chain = ((c.properties as any)?.managementGroupAncestorsChain ?? []) as { name: string }[];
      if (chain.some((x) => want.has(lc(x.name)))) out.add(lc(c.subscriptionId));
    }
    return out;
  }

  // ------------------------------------------------------------------ Activity Log, Policy states, Log Analytics

  private activity(sub: string, filter: string | null, select: string | null): Record<string, unknown>[] {
    if (!filter) throw new HttpFail(400, "BadRequest", "The $filter query parameter with an eventTimestamp window is required.");
    const m =
      /^\s*eventTimestamp\s+ge\s+'([^']+)'\s+and\s+eventTimestamp\s+le\s+'([^']+)'(?:\s+and\s+(resourceGroupName|resourceUri|resourceProvider|correlationId)\s+eq\s+'([^']*)')?\s*$/i.exec(filter);
    if (!m) throw new HttpFail(400, "BadRequest", `The $filter '${filter}' is not supported: use eventTimestamp ge '...' and eventTimestamp le '...' [and resourceGroupName|resourceUri|resourceProvider|correlationId eq '...'].`);
    const from = Date.parse(m[1]);
    const to = Date.parse(m[2]);
    if (!Number.isFinite(from) || !Number.isFinite(to)) throw new HttpFail(400, "BadRequest", "Invalid eventTimestamp in $filter.");
    const field = m[3]?.toLowerCase();
    const val = lc(m[4]);
    const rows = this.tenant.activityLog.filter((e: any) => {
      const s = lc(e.subscriptionId) || lc(String(e.resourceId ?? "").split("/")[2]);
      if (s !== lc(sub)) return false;
      const t = Date.parse(e.eventTimestamp);
      if (!(t >= from && t <= to)) return false;
      if (field === "resourcegroupname") return lc(e.resourceGroupName) === val;
      if (field === "resourceuri") return lc(e.resourceId) === val;
      if (field === "resourceprovider") return lc(e.resourceProviderName?.value) === val;
      if (field === "correlationid") return lc(e.correlationId) === val;
      return true;
    });
    rows.sort((a: any, b: any) => String(b.eventTimestamp).localeCompare(String(a.eventTimestamp)));
    if (!select) return rows;
    const cols = select.split(",").map((s) => s.trim());
    return rows.map((r) => Object.fromEntries(cols.filter((c) => c in r).map((c) => [c, r[c]])));
  }

  private policyStates(url: URL, scope: string): Record<string, unknown> {
    const filter = url.searchParams.get("$filter");
    let states = (this.tenant.policy?.states ?? []).filter((s: any) => {
      if (scope.startsWith("/subscriptions/")) return lc(s.subscriptionId) === scope.split("/")[2];
      const mg = scope.split("/").pop() as string;
      return ((s.managementGroupIds as string) ?? "").toLowerCase().split(",").includes(mg);
    });
    if (filter) {
      const m = /^\s*(IsCompliant)\s+eq\s+(true|false)\s*$/i.exec(filter) ?? /^\s*(ComplianceState)\s+eq\s+'([^']+)'\s*$/i.exec(filter);
      if (!m) throw new HttpFail(400, "InvalidFilterInQueryString", `The simulator supports only 'IsCompliant eq true|false' or 'ComplianceState eq '...'' filters, not '${filter}'.`);
      states = states.filter((s: any) => (m[1].toLowerCase() === "iscompliant" ? String(s.isCompliant) === m[2].toLowerCase() : lc(s.complianceState) === lc(m[2])));
    }
    const top = Number(url.searchParams.get("$top") ?? 0);
    if (top > 0 && !url.searchParams.get("$skiptoken")) states = states.slice(0, top);
    return this.page(url, states, true);
  }

  private laQuery(bodyText: string): Record<string, unknown> {
    let body: any;
    try {
      body = JSON.parse(bodyText || "{}");
    } catch {
      throw new HttpFail(400, "BadArgumentError", "The request had some invalid properties");
    }
    const query = String(body.query ?? "");
    const m = /^\s*(\w+)\s*(?:\|\s*where\s+TimeGenerated\s*>\s*ago\((\d+)([dhm])\)\s*)?(?:\|\s*(?:take|limit)\s+(\d+)\s*)?$/i.exec(query);
    if (!m)
      throw new HttpFail(400, "BadArgumentError", "The request had some invalid properties", {
        innererror: { code: "SyntaxError", message: "The simulator supports '<Table> [| where TimeGenerated > ago(N{d|h|m})] [| take N]'." },
      });
    const table = m[1];
    const since = m[2] ? Date.now() - Number(m[2]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[m[3].toLowerCase() as "d"] : -Infinity;
    const t = la(table, this.tenant);
    if (!t)
      throw new HttpFail(400, "BadArgumentError", "The request had some invalid properties", {
        innererror: { code: "SemanticError", message: `Failed to resolve table expression named '${table}'` },
      });
    let rows = t.rows.filter((r) => Date.parse(String(r[0])) > since);
    if (m[4]) rows = rows.slice(0, Number(m[4]));
    return { tables: [{ name: "PrimaryResult", columns: t.columns, rows }] };
  }
}

function toTable(rows: Record<string, unknown>[]): { columns: { name: string; type: string }[]; rows: unknown[][] } {
  const names: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!names.includes(k)) names.push(k);
  const typeOf = (v: unknown) => (typeof v === "number" ? (Number.isInteger(v) ? "integer" : "number") : typeof v === "boolean" ? "boolean" : v !== null && typeof v === "object" ? "object" : "string");
  return {
    columns: names.map((n) => ({ name: n, type: typeOf(rows.find((r) => r[n] !== undefined && r[n] !== null)?.[n]) })),
    rows: rows.map((r) => names.map((n) => r[n] ?? null)),
  };
}

/** ARG row -> REST resource: REST type casing, lower-case resourceDetails, `links.azurePortalUri`, `$expand` honored. */
export function restShape(row: ArmResource, expand?: string | null): Record<string, unknown> {
  const t = lc(row.type);
  const props: Record<string, any> = structuredClone(row.properties ?? {});
  const ex = new Set((expand ?? "").toLowerCase().split(",").map((s) => s.trim()));
  if (t === "microsoft.security/assessments") {
    const rd = props.resourceDetails ?? {};
    const { Id, Source, ...rest } = rd;
    props.resourceDetails = { source: rd.source ?? Source, id: rd.id ?? Id, ...rest };
    if (props.links?.azurePortal && !props.links.azurePortalUri) props.links = { azurePortalUri: `https://${props.links.azurePortal}` };
    if (!ex.has("links")) delete props.links;
    if (!ex.has("metadata")) delete props.metadata;
  }
  if (t === "microsoft.security/securescores/securescorecontrols" && !ex.has("definition")) delete props.definition;
  return { id: row.id, name: row.name, type: ARM_TYPES[t] ?? row.type, properties: props };
}

type LaColumn = { name: string; type: string };
function la(table: string, t: SimTenant): { columns: LaColumn[]; rows: unknown[][] } | undefined {
  const tl = table.toLowerCase();
  if (tl === "securityrecommendation") {
    const columns: LaColumn[] = [
      { name: "TimeGenerated", type: "datetime" },
      { name: "AssessedResourceId", type: "string" },
      { name: "RecommendationName", type: "string" },
      { name: "RecommendationDisplayName", type: "string" },
      { name: "RecommendationSeverity", type: "string" },
      { name: "RecommendationState", type: "string" },
      { name: "PolicyDefinitionId", type: "string" },
      { name: "FirstEvaluationDate", type: "datetime" },
      { name: "StatusChangeDate", type: "datetime" },
      { name: "Properties", type: "dynamic" },
      { name: "TenantId", type: "string" },
      { name: "Type", type: "string" },
    ];
    const rows = t.securityResources
      .filter((r) => lc(r.type) === "microsoft.security/assessments")
      .map((r) => {
        const p = (r.properties ?? {}) as any;
        return [
          p.status?.statusChangeDate ?? p.status?.firstEvaluationDate ?? null,
          p.resourceDetails?.Id ?? p.resourceDetails?.id ?? null,
          r.name,
          p.displayName ?? null,
          p.metadata?.severity ?? null,
          p.status?.code ?? null,
          p.metadata?.policyDefinitionId ?? null,
          p.status?.firstEvaluationDate ?? null,
          p.status?.statusChangeDate ?? null,
          JSON.stringify({ status: p.status, additionalData: p.additionalData ?? {} }),
          t.tenantId,
          "SecurityRecommendation",
        ];
      });
    return { columns, rows };
  }
  if (tl === "securityalert") {
    const columns: LaColumn[] = [
      { name: "TimeGenerated", type: "datetime" },
      { name: "AlertName", type: "string" },
      { name: "AlertSeverity", type: "string" },
      { name: "DisplayName", type: "string" },
      { name: "Description", type: "string" },
      { name: "StartTime", type: "datetime" },
      { name: "Status", type: "string" },
      { name: "SystemAlertId", type: "string" },
      { name: "ResourceId", type: "string" },
      { name: "Tactics", type: "string" },
      { name: "Techniques", type: "string" },
      { name: "Entities", type: "string" },
      { name: "TenantId", type: "string" },
      { name: "Type", type: "string" },
    ];
    const rows = t.alerts.map((a: any) => {
      const p = a.properties ?? {};
      return [
        p.timeGeneratedUtc ?? p.startTimeUtc ?? null,
        p.alertType ?? null,
        p.severity ?? null,
        p.alertDisplayName ?? null,
        p.description ?? null,
        p.startTimeUtc ?? null,
        p.status ?? null,
        p.systemAlertId ?? a.name ?? null,
        (p.resourceIdentifiers ?? []).find((x: any) => x.azureResourceId)?.azureResourceId ?? null,
        p.intent ?? null,
        (p.techniques ?? []).join(","),
        JSON.stringify(p.entities ?? []),
        t.tenantId,
        "SecurityAlert",
      ];
    });
    return { columns, rows };
  }
  if (tl === "azureactivity") {
    const columns: LaColumn[] = [
      { name: "TimeGenerated", type: "datetime" },
      { name: "OperationNameValue", type: "string" },
      { name: "ActivityStatusValue", type: "string" },
      { name: "Caller", type: "string" },
      { name: "CallerIpAddress", type: "string" },
      { name: "CategoryValue", type: "string" },
      { name: "CorrelationId", type: "string" },
      { name: "EventDataId", type: "string" },
      { name: "Level", type: "string" },
      { name: "ResourceGroup", type: "string" },
      { name: "_ResourceId", type: "string" },
      { name: "SubscriptionId", type: "string" },
      { name: "Properties_d", type: "dynamic" },
      { name: "TenantId", type: "string" },
      { name: "Type", type: "string" },
    ];
    const rows = t.activityLog.map((e: any) => [
      e.eventTimestamp ?? null,
      e.operationName?.value ?? null,
      e.status?.value ?? null,
      e.caller ?? null,
      e.httpRequest?.clientIpAddress ?? null,
      e.category?.value ?? null,
      e.correlationId ?? null,
      e.eventDataId ?? null,
      e.level ?? null,
      e.resourceGroupName ?? null,
      e.resourceId ?? null,
      e.subscriptionId ?? null,
      JSON.stringify(e.properties ?? {}),
      t.tenantId,
      "AzureActivity",
    ]);
    return { columns, rows };
  }
  return undefined;
}

/** Starts a simulator; `stop()` it when done. */
export async function startSimulator(opts: SimulatorOptions): Promise<AzureSimulator> {
  const sim = new AzureSimulator(opts);
  await sim.start();
  return sim;
}
