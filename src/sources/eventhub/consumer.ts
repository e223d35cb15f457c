import type { RawRow } from "../../pipeline/normalize";
import type { CheckpointStore } from "./checkpoint-store";
import type { PartitionSource, ReceivedEvent } from "./partition-source";

/**
 * Streaming ingest of Defender for Cloud continuous export (api-contracts section 8): Event Hubs events
 * whose bodies are one record or an array of records. Delivery is at-least-once with duplicates and
 * reordering across partitions, so each batch is deduplicated on the record id (keeping the latest
 * `statusChangeDate`, then the latest enqueued time), handed to `onBatch`, and only then checkpointed:
 * a consumer that dies before the checkpoint re-reads the batch (the handler must be idempotent —
 * store upserts are).
 */
export interface ExportBatch {
  partitionId: string;
  /** Rows for the normalizer: assessments and sub-assessments as ARM rows, alerts converted to the ARM alert shape. */
  rows: RawRow[];
  /** Ids whose export said `action: Delete` (resource or recommendation removed). */
  deletes: string[];
  /** Events whose body was not a known export record (counted, with the reason). */
  skipped: { sequenceNumber: number; reason: string }[];
  lastSequenceNumber: number;
}

export interface ConsumeOptions {
  source: PartitionSource;
  checkpoints: CheckpointStore;
  onBatch: (batch: ExportBatch) => Promise<void>;
  /** Events per receive (default 500). */
  maxBatch?: number;
  /** Only these partitions (default: all). */
  partitions?: string[];
}

export interface ConsumeReport {
  events: number;
  records: number;
  duplicates: number;
  deletes: number;
  skipped: number;
  batches: number;
  /** Checkpoint per partition after the pass. */
  positions: Record<string, number>;
}

type Rec = Record<string, unknown>;

/** Reads every partition from its checkpoint to the current end once (call it in a loop to stream). */
export async function consumeOnce(o: ConsumeOptions): Promise<ConsumeReport> {
  const { source } = o;
  const report: ConsumeReport = { events: 0, records: 0, duplicates: 0, deletes: 0, skipped: 0, batches: 0, positions: {} };
  const saved = await o.checkpoints.listCheckpoints(source.fullyQualifiedNamespace, source.eventHubName, source.consumerGroup);
  const from = new Map(saved.map((c) => [c.partitionId, c.sequenceNumber]));
  const partitions = o.partitions ?? (await source.getPartitionIds());
  for (const partitionId of partitions) {
    let after = from.get(partitionId) ?? -1;
    for (;;) {
      const events = await source.receiveBatch(partitionId, after, o.maxBatch ?? 500);
      if (!events.length) break;
      const batch = decodeBatch(partitionId, events);
      report.events += events.length;
      report.records += batch.rows.length + batch.deletes.length;
      report.duplicates += batch.duplicates;
      report.deletes += batch.deletes.length;
      report.skipped += batch.skipped.length;
      report.batches++;
      await o.onBatch(batch);
      const last = events[events.length - 1];
      await o.checkpoints.updateCheckpoint({
        fullyQualifiedNamespace: source.fullyQualifiedNamespace,
        eventHubName: source.eventHubName,
        consumerGroup: source.consumerGroup,
        partitionId,
        sequenceNumber: last.sequenceNumber,
        offset: last.offset,
      });
      after = last.sequenceNumber;
    }
    report.positions[partitionId] = after;
  }
  return report;
}

/** One partition's events → deduplicated rows (the latest version of each record wins). */
export function decodeBatch(partitionId: string, events: ReceivedEvent[]): ExportBatch & { duplicates: number } {
  const latest = new Map<string, { rec: Rec; kind: "upsert" | "delete"; hint?: RawRow["hint"]; rank: [string, number]; origin: RawRow["origin"] }>();
  const skipped: ExportBatch["skipped"] = [];
  let seen = 0;
  for (const ev of events) {
    const body = typeof ev.body === "string" ? tryJson(ev.body) : ev.body;
    const records = Array.isArray(body) ? body : [body];
    records.forEach((raw, i) => {
      const decoded = decodeRecord(raw);
      if ("reason" in decoded) {
        skipped.push({ sequenceNumber: ev.sequenceNumber, reason: decoded.reason });
        return;
      }
      seen++;
      const rank: [string, number] = [decoded.changed ?? "", ev.enqueuedTimeUtc.getTime() * 1000 + i];
      const prev = latest.get(decoded.key);
      if (!prev || rank[0] > prev.rank[0] || (rank[0] === prev.rank[0] && rank[1] >= prev.rank[1]))
        latest.set(decoded.key, { rec: decoded.row, kind: decoded.kind, hint: decoded.hint, rank, origin: { file: `eventhub:${partitionId}`, line: ev.sequenceNumber, index: i } });
    });
  }
  const rows: RawRow[] = [];
  const deletes: string[] = [];
  for (const [key, v] of latest) {
    if (v.kind === "delete") deletes.push(key);
    else rows.push({ row: v.rec, hint: v.hint, origin: v.origin });
  }
  return { partitionId, rows, deletes, skipped, duplicates: seen - latest.size, lastSequenceNumber: events[events.length - 1]?.sequenceNumber ?? -1 };
}

function tryJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

type Decoded = { key: string; row: Rec; kind: "upsert" | "delete"; changed?: string; hint?: RawRow["hint"] } | { reason: string };

/** One export record: ARM-shaped assessment / sub-assessment / compliance / score, or a PascalCase alert. */
export function decodeRecord(raw: unknown): Decoded {
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return { reason: "body is not a JSON object" };
  const o = raw as Rec;
  if (typeof o.SystemAlertId === "string" || typeof o.AlertType === "string") return decodeAlert(o);
  const type = typeof o.type === "string" ? o.type : undefined;
  const id = typeof o.id === "string" ? o.id : undefined;
  if (!type || !id) return { reason: "record has no type and id (not a continuous-export record)" };
  const env = (o.assessmentEventDataEnrichment ?? o.subAssessmentEventDataEnrichment ?? o.securityEventDataEnrichment) as Rec | undefined;
  const action = String(env?.action ?? "Insert");
  const props = (o.properties ?? {}) as Rec;
  const status = (props.status ?? {}) as Rec;
  const changed = typeof status.statusChangeDate === "string" ? status.statusChangeDate : typeof props.timeGenerated === "string" ? props.timeGenerated : undefined;
  const key = id.toLowerCase();
  if (/^delete$/i.test(action)) return { key, row: o, kind: "delete", changed };
  // The envelope is transport metadata: the normalizer sees the ARM row only.
  const { assessmentEventDataEnrichment: _a, subAssessmentEventDataEnrichment: _s, securityEventDataEnrichment: _e, ...row } = o;
  return { key, row, kind: "upsert", changed };
}

const ALERT_STATUS: Record<string, string> = { new: "Active", active: "Active", inprogress: "InProgress", resolved: "Resolved", dismissed: "Dismissed" };

/** The exported (PascalCase, workflow-automation) alert → the ARM alert shape the normalizer reads; `$ref` entities resolved. */
function decodeAlert(o: Rec): Decoded {
  const id = String(o.SystemAlertId ?? "");
  if (!id) return { reason: "alert without SystemAlertId" };
  const byRef = new Map<string, Rec>();
  const collect = (list: unknown) => {
    if (Array.isArray(list)) for (const e of list) if (e && typeof e === "object" && typeof (e as Rec).$id === "string") byRef.set((e as Rec).$id as string, e as Rec);
  };
  collect(o.ResourceIdentifiers);
  collect(o.Entities);
  const resolve = (e: unknown): Rec | undefined => {
    if (!e || typeof e !== "object") return undefined;
    const r = e as Rec;
    return typeof r.$ref === "string" ? byRef.get(r.$ref) : r;
  };
  const ids = new Set<string>();
  for (const e of Array.isArray(o.ResourceIdentifiers) ? o.ResourceIdentifiers : []) {
    const r = resolve(e);
    if (typeof r?.AzureResourceId === "string") ids.add(r.AzureResourceId);
  }
  if (!ids.size && typeof o.AzureResourceId === "string") ids.add(o.AzureResourceId);
  for (const e of Array.isArray(o.Entities) ? o.Entities : []) {
    const r = resolve(e);
    if (typeof r?.ResourceId === "string" && /^\/subscriptions\//i.test(r.ResourceId) && !ids.size) ids.add(r.ResourceId);
  }
  const resource = [...ids][0] ?? "";
  const armId = `${resource || "/subscriptions/unknown"}/providers/Microsoft.Security/locations/export/alerts/${id}`;
  const status = ALERT_STATUS[String(o.Status ?? "").toLowerCase()] ?? "Active";
  return {
    key: `alert|${id.toLowerCase()}`,
    kind: "upsert",
    hint: "alert",
    changed: typeof o.TimeGenerated === "string" ? o.TimeGenerated : undefined,
    row: {
      id: armId,
      name: id,
      type: "Microsoft.Security/locations/alerts",
      properties: {
        alertType: o.AlertType,
        alertDisplayName: o.AlertDisplayName,
        severity: o.Severity,
        status,
        startTimeUtc: o.StartTimeUtc,
        timeGeneratedUtc: o.TimeGenerated,
        resourceIdentifiers: [...ids].map((azureResourceId) => ({ type: "AzureResource", azureResourceId })),
        intent: o.Intent,
        description: o.Description,
        compromisedEntity: o.CompromisedEntity,
      },
    },
  };
}
