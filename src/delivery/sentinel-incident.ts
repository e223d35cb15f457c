import type { TokenCredential } from "@azure/core-auth";
import type { SentinelIncidentRequest } from "../changes/sentinel";
import { createHttpPipeline, type JsonResponse, sendJson } from "../http";
import { resolveConnection } from "../sources/azure/config";
import { contentHash, type Json } from "./format";
import type { NewOutboxMessage, OutboxMessage } from "./repo";
import { classify, type HttpSinkOptions, PermanentDeliveryError, RetryLaterError, retryAfterMs, type Sink } from "./sinks";

export { retryAfterMs };

/**
 * Microsoft Sentinel incidents (docs/api-contracts.md section 7) for high-scoring change anomalies.
 *
 * Idempotent by the incident id: a name-based GUID of the anomaly's correlation id (`stableGuid` in
 * src/changes/sentinel.ts), so a re-sent anomaly is a PUT to the same incident, never a second one. Before
 * writing, the sink reads the incident: absent → PUT creates it (201); present → PUT with its `etag` updates it
 * (200), keeping what the SOC owns (status, owner, classification, their labels). A stale etag (409/412) is
 * read again and retried; a 429 is retried by the outbox no sooner than `Retry-After`.
 */

export const INCIDENT_TOPIC = "change.incident";

export interface IncidentPayload {
  incident: SentinelIncidentRequest;
}

/** `{sink}:incident:{incidentId}:` — every message for one incident in one sink shares it. */
export function incidentKeyPrefix(sink: string, incidentId: string): string {
  return `${sink}:incident:${incidentId.toLowerCase()}:`;
}

/**
 * One outbox message per incident request and sink. The key carries the content hash: the same anomaly again
 * enqueues nothing; a changed anomaly (new score, new findings) enqueues an update of the same incident.
 */
export function incidentMessages(incidents: SentinelIncidentRequest[], sinks: string[]): NewOutboxMessage[] {
  return incidents.flatMap((incident) => {
    const hash = contentHash(incident.body).slice(0, 16);
    return sinks.map((sink) => ({
      idempotencyKey: `${incidentKeyPrefix(sink, incident.incidentId)}${hash}`,
      sink,
      topic: INCIDENT_TOPIC,
      findingId: null,
      payload: { incident } satisfies IncidentPayload,
    }));
  });
}

export interface SentinelIncidentSinkOptions extends HttpSinkOptions {
  subscriptionId: string;
  resourceGroup: string;
  workspaceName: string;
  /** ARM endpoint (default: the cloud's, or CLARION_AZURE_ENDPOINT). */
  armEndpoint?: string;
  /** public | usgov | china (default CLARION_AZURE_CLOUD or public): token scope and authority. */
  cloud?: string;
  credential?: TokenCredential;
  /** Static bearer token (the simulator); otherwise DefaultAzureCredential, as the other Azure clients. */
  token?: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Fields Clarion writes on update; everything else on an existing incident belongs to the SOC. */
const OURS = ["title", "description", "severity"] as const;
/** Request properties of section 7 that the SOC may have set and an update must carry over. */
const THEIRS = ["status", "classification", "classificationReason", "classificationComment", "owner", "providerName", "providerIncidentId"];

function earliest(a: unknown, b: unknown): string | undefined {
  const xs = [a, b].filter((x): x is string => typeof x === "string" && Number.isFinite(Date.parse(x)));
  return xs.sort((x, y) => Date.parse(x) - Date.parse(y))[0];
}
function latest(a: unknown, b: unknown): string | undefined {
  const xs = [a, b].filter((x): x is string => typeof x === "string" && Number.isFinite(Date.parse(x)));
  return xs.sort((x, y) => Date.parse(y) - Date.parse(x))[0];
}

/**
 * The PUT properties for an existing incident: Clarion's title, description and severity; the SOC's status,
 * owner and classification; labels merged (theirs kept, ours added); the activity window widened.
 */
export function mergeIncident(current: Json, ours: SentinelIncidentRequest["body"]["properties"]): Json {
  const out: Json = {};
  for (const k of THEIRS) if (current[k] !== undefined && current[k] !== null) out[k] = current[k];
  for (const k of OURS) out[k] = ours[k];
  out.status ??= ours.status;
  const labels: Json[] = (current.labels ?? []).map((l: Json) => ({ labelName: l.labelName, labelType: l.labelType ?? "User" }));
  const have = new Set(labels.map((l) => String(l.labelName).toLowerCase()));
  for (const l of ours.labels) if (!have.has(l.labelName.toLowerCase())) labels.push(l);
  out.labels = labels;
  const first = earliest(current.firstActivityTimeUtc, ours.firstActivityTimeUtc);
  const last = latest(current.lastActivityTimeUtc, ours.lastActivityTimeUtc);
  if (first) out.firstActivityTimeUtc = first;
  if (last) out.lastActivityTimeUtc = last;
  return out;
}

function sameContent(current: Json, next: Json): boolean {
  const pick = (p: Json) =>
    JSON.stringify([p.title, p.description, p.severity, p.status, p.labels, p.firstActivityTimeUtc, p.lastActivityTimeUtc]);
  const labels = (current.labels ?? []).map((l: Json) => ({ labelName: l.labelName, labelType: l.labelType ?? "User" }));
  return pick({ ...current, labels }) === pick(next);
}

function incidentOf(msg: OutboxMessage): SentinelIncidentRequest {
  const inc = (msg.payload as IncidentPayload | undefined)?.incident;
  const p = inc?.body?.properties;
  if (!inc || !GUID.test(String(inc.incidentId)) || !p?.title || !p.severity || !p.status)
    throw new PermanentDeliveryError(`message ${msg.id} has no valid Sentinel incident (GUID id, title, severity, status)`);
  return inc;
}

/** Sentinel incidents through the shared pipeline with an ARM token (`{cloud}/.default`). */
export function sentinelIncidentSink(o: SentinelIncidentSinkOptions): Sink {
  const conn = resolveConnection({ armEndpoint: o.armEndpoint, cloud: o.cloud, credential: o.credential, token: o.token, ca: o.ca });
  const http = createHttpPipeline({
    credential: conn.credential,
    scopes: conn.cloud.armScope,
    ca: conn.ca,
    retry: o.retry ?? false,
    userAgent: "clarion/0.1 (delivery)",
  });
  const name = o.name ?? "sentinel-incident";
  const seg = (s: string) => encodeURIComponent(s);
  const base = `${conn.armEndpoint}/subscriptions/${seg(o.subscriptionId)}/resourceGroups/${seg(o.resourceGroup)}/providers/Microsoft.OperationalInsights/workspaces/${seg(o.workspaceName)}/providers/Microsoft.SecurityInsights`;

  const call = async (method: "GET" | "PUT", url: string, body?: unknown): Promise<JsonResponse<Json>> => {
    let r: JsonResponse<Json>;
    try {
      // GET: 404 = not created yet. PUT: 409/412 = stale etag. Both: 429 = throttled (section 0.3).
      r = await sendJson<Json>(http, { method, url, body, acceptStatus: method === "GET" ? [404, 429] : [409, 412, 429] });
    } catch (e) {
      return classify(e);
    }
    if (r.status === 429) {
      const code = r.body?.error?.code ?? "TooManyRequests";
      throw new RetryLaterError(`${method} incident throttled: 429 ${code}`, 429, retryAfterMs(r.headers, 429));
    }
    return r;
  };

  return {
    name,
    type: "sentinel-incident",
    async deliver(msg, ctx) {
      const inc = incidentOf(msg);
      // A newer version of this incident is queued or sent already: sending this one would undo it.
      if (await ctx.repo.newerInGroup?.(msg, incidentKeyPrefix(msg.sink, inc.incidentId))) return { skipped: true };
      const url = `${base}/incidents/${inc.incidentId.toLowerCase()}?api-version=${encodeURIComponent(inc.apiVersion)}`;
      for (let attempt = 1; ; attempt++) {
        const cur = await call("GET", url);
        let body: Json;
        if (cur.status === 404) body = { properties: inc.body.properties };
        else {
          const props = mergeIncident(cur.body?.properties ?? {}, inc.body.properties);
          // Same content (e.g. a create whose answer was lost): no write, so no "incident updated" automation fires.
          if (sameContent(cur.body?.properties ?? {}, props)) return { statusCode: cur.status, skipped: true };
          body = { etag: cur.body?.etag, properties: props };
        }
        const r = await call("PUT", url, body);
        if (r.status === 200 || r.status === 201) return { statusCode: r.status };
        // 409/412: someone changed the incident between our read and our write (or created it): read again.
        if (attempt >= 3) throw new RetryLaterError(`incident ${inc.incidentId} kept changing under us (${r.status})`, r.status, 0);
      }
    },
    close: () => http.close(),
  };
}
