import { createHash, timingSafeEqual } from "node:crypto";
import { ConflictError, InputError } from "../domain/errors";
import type { Store } from "../store/store";
import { UnauthenticatedError } from "./errors";

/** What the Sentinel playbook (deploy/sentinel/playbook-clarion-webhook.json) posts. */
export interface SentinelIncidentPost {
  source?: string;
  incidentArmId: string;
  incidentNumber?: number | string | null;
  incidentUrl?: string | null;
  title?: string | null;
  severity?: string | null;
  status?: string | null;
  createdTimeUtc?: string | null;
  alerts?: unknown[] | null;
  relatedResources?: unknown[] | null;
}

export interface IncidentRecord {
  incidentArmId: string;
  incidentNumber: number | null;
  incidentUrl: string | null;
  title: string;
  severity: string | null;
  status: string | null;
  createdTimeUtc: string | null;
  source: string;
  findingIds: string[];
  receivedAt: string;
}

export interface WebhookResult {
  status: number;
  body: Record<string, unknown>;
  replayed: boolean;
}

const sha256 = (s: string | Buffer) => createHash("sha256").update(s).digest();
const FINDING_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;

/**
 * Compares a presented bearer secret with the configured one in constant time: both are hashed first, so
 * neither their contents nor their lengths leak through timing.
 */
export function checkWebhookToken(header: string | undefined, expected: string): void {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  const presented = m?.[1] ?? "";
  const ok = timingSafeEqual(sha256(presented), sha256(expected));
  if (!m || !ok)
    throw new UnauthenticatedError("missing or wrong webhook token", { hint: "send Authorization: Bearer <CLARION_WEBHOOK_TOKEN>" });
}

/**
 * FindingId values from the alerts' custom details. Sentinel puts an analytics rule's custom details on each
 * alert as a JSON string of arrays (`{"FindingId":["F-..."]}`) under `properties.additionalData["Custom Details"]`;
 * the object form and a few spellings seen in exports (`customDetails`, `ExtendedProperties`) are accepted too.
 */
export function findingIdsFromAlerts(alerts: unknown[] | null | undefined): string[] {
  const out = new Set<string>();
  const take = (v: unknown) => {
    if (typeof v === "string") {
      const t = v.trim();
      if (t.startsWith("[")) {
        try {
          take(JSON.parse(t));
        } catch {
          /* not a JSON list: one id */
        }
        return;
      }
      if (FINDING_ID.test(t)) out.add(t);
    } else if (Array.isArray(v)) for (const x of v) take(x);
  };
  const fromDetails = (d: unknown) => {
    let obj = d;
    if (typeof obj === "string") {
      try {
        obj = JSON.parse(obj);
      } catch {
        return;
      }
    }
    if (!obj || typeof obj !== "object" || Array.isArray(obj)) return;
    for (const [k, v] of Object.entries(obj as Record<string, unknown>)) if (/^findingids?$/i.test(k)) take(v);
  };
  for (const a of alerts ?? []) {
    if (!a || typeof a !== "object") continue;
    type Bag = Record<string, unknown> | undefined;
    const al = a as Record<string, unknown>;
    const props = (al.properties ?? {}) as Record<string, unknown>;
    for (const d of [
      (props.additionalData as Bag)?.["Custom Details"],
      (props.additionalData as Bag)?.CustomDetails,
      props.customDetails,
      (props.extendedProperties as Bag)?.["Custom Details"],
      al.customDetails,
      al.CustomDetails,
      (al.ExtendedProperties as Bag)?.["Custom Details"],
    ])
      if (d !== undefined && d !== null) fromDetails(d);
  }
  return [...out].slice(0, 500);
}

const str = (v: unknown, max = 2000): string | null => (typeof v === "string" && v.trim() ? v.trim().slice(0, max) : null);

/**
 * Records a Sentinel incident against the findings its alerts name, once per Idempotency-Key: a replay with the
 * same body returns the stored response and records nothing; the same key with a different body is a 409.
 */
export async function recordSentinelIncident(
  store: Store,
  key: string | undefined,
  body: SentinelIncidentPost,
  now: Date,
): Promise<WebhookResult> {
  const idemKey = key?.trim();
  if (!idemKey) throw new InputError("an Idempotency-Key header is required (the incident's ARM id)", { field: "Idempotency-Key" });
  if (idemKey.length > 512) throw new InputError("Idempotency-Key is longer than 512 characters", { field: "Idempotency-Key" });
  const digest = sha256(JSON.stringify(body)).toString("hex");
  const prior = await storedResponse(store, idemKey);
  if (prior) return replay(prior, digest, idemKey);

  const named = findingIdsFromAlerts(body.alerts);
  const known = new Set<string>();
  for (let i = 0; i < named.length; i += 500) {
    const chunk = named.slice(i, i + 500);
    for (const r of await store.query<{ id: string }>(`SELECT id FROM findings WHERE id IN (${chunk.map(() => "?").join(", ")})`, chunk))
      known.add(r.id);
  }
  const findingIds = named.filter((id) => known.has(id));
  const unknownFindingIds = named.filter((id) => !known.has(id));
  const num =
    body.incidentNumber === null || body.incidentNumber === undefined || body.incidentNumber === "" ? null : Number(body.incidentNumber);
  const rec: IncidentRecord = {
    incidentArmId: body.incidentArmId.trim(),
    incidentNumber: Number.isInteger(num) ? (num as number) : null,
    incidentUrl: str(body.incidentUrl),
    title: str(body.title, 500) ?? "(untitled incident)",
    severity: str(body.severity, 40),
    status: str(body.status, 40),
    createdTimeUtc: str(body.createdTimeUtc, 40),
    source: str(body.source, 100) ?? "microsoft-sentinel",
    findingIds,
    receivedAt: now.toISOString(),
  };
  if (rec.incidentUrl && !/^https:\/\//i.test(rec.incidentUrl)) rec.incidentUrl = null; // only https links are shown
  const response = { recorded: true, idempotencyKey: idemKey, ...rec, unknownFindingIds };
  const status = 201;
  const inserted = await store.transaction(async (tx) => {
    // Another request (or server process) with the same key may have won between the read above and here.
    const res = await tx.exec(
      `INSERT INTO server_incidents (idempotency_key, incident_arm_id, incident_number, incident_url, title, severity, status,
         created_time_utc, source, finding_ids, request_digest, response_status, response, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`,
      [
        idemKey,
        rec.incidentArmId,
        rec.incidentNumber,
        rec.incidentUrl,
        rec.title,
        rec.severity,
        rec.status,
        rec.createdTimeUtc,
        rec.source,
        JSON.stringify(findingIds),
        digest,
        status,
        JSON.stringify(response),
        rec.receivedAt,
      ],
    );
    if (!res.changes) return false;
    for (const id of findingIds)
      await tx.exec("INSERT INTO server_incident_findings (finding_id, idempotency_key) VALUES (?, ?) ON CONFLICT DO NOTHING", [id, idemKey]);
    return true;
  });
  if (!inserted) {
    const won = await storedResponse(store, idemKey);
    if (!won) throw new ConflictError(`Idempotency-Key ${idemKey} is being recorded by another request`, { hint: "retry" });
    return replay(won, digest, idemKey);
  }
  await store.appendAudit([
    {
      time: rec.receivedAt,
      actor: "sentinel-webhook",
      action: "incident.received",
      subject: rec.incidentArmId,
      digest,
      details: {
        idempotencyKey: idemKey,
        incidentNumber: rec.incidentNumber,
        title: rec.title,
        severity: rec.severity,
        status: rec.status,
        findingIds,
        ...(unknownFindingIds.length ? { unknownFindingIds } : {}),
      },
    },
  ]);
  return { status, body: response, replayed: false };
}

type StoredResponse = { request_digest: string; response_status: number; response: string };

async function storedResponse(store: Store, key: string): Promise<StoredResponse | undefined> {
  const [r] = await store.query<StoredResponse>(
    "SELECT request_digest, response_status, response FROM server_incidents WHERE idempotency_key = ?",
    [key],
  );
  return r;
}

function replay(prior: { request_digest: string; response_status: number; response: string }, digest: string, key: string): WebhookResult {
  if (prior.request_digest !== digest)
    throw new ConflictError(`Idempotency-Key ${key} was already used with a different body`, {
      hint: "a key names one incident delivery; send changes under a new key",
    });
  return { status: prior.response_status, body: JSON.parse(prior.response), replayed: true };
}

/** Incidents recorded against one finding, newest first. */
export async function incidentsForFinding(store: Store, findingId: string): Promise<IncidentRecord[]> {
  const rows = await store.query<Record<string, string | number | null>>(
    `SELECT i.incident_arm_id, i.incident_number, i.incident_url, i.title, i.severity, i.status, i.created_time_utc, i.source,
            i.finding_ids, i.received_at
       FROM server_incident_findings l JOIN server_incidents i ON i.idempotency_key = l.idempotency_key
      WHERE l.finding_id = ? ORDER BY i.received_at DESC LIMIT 200`,
    [findingId],
  );
  return rows.map((r) => ({
    incidentArmId: r.incident_arm_id as string,
    incidentNumber: r.incident_number === null ? null : Number(r.incident_number),
    incidentUrl: r.incident_url as string | null,
    title: r.title as string,
    severity: r.severity as string | null,
    status: r.status as string | null,
    createdTimeUtc: r.created_time_utc as string | null,
    source: r.source as string,
    findingIds: JSON.parse(r.finding_ids as string),
    receivedAt: r.received_at as string,
  }));
}
