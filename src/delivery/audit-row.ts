import type { AuditEvent } from "../store/store";

/**
 * Column contract of the Log Analytics custom table ClarionAudit_CL: one row per audit event, the stored
 * fields of `AuditEvent` (src/store/store.ts) in PascalCase, plus `TimeGenerated` and `ChainId`.
 *
 * - `Time` is the stored time text exactly as hashed; `TimeGenerated` is the same instant as a datetime (the
 *   service may stamp a row it thinks too old with the ingestion time instead, so order and re-check by `Seq`,
 *   and compare `Time`, never `TimeGenerated`).
 * - `Seq`, `PrevHash` and `Hash` keep the chain: each row's `PrevHash` is the `Hash` of the row with `Seq - 1`
 *   (64 zeros for `Seq` 1), and `Hash` is SHA-256 over the canonical text of the event
 *   (src/store/audit-chain.ts), so rows read back from the table verify with `clarion audit verify --file`.
 * - `ChainId` is the `Hash` of the chain's first event: it tells apart the logs of several Clarion stores that
 *   export to one workspace.
 * - None of the names is one Log Analytics reserves in custom tables (`Type`, `TenantId`, `ResourceId`, ...).
 */
export const AUDIT_TABLE = "ClarionAudit_CL";
export const AUDIT_STREAM = `Custom-${AUDIT_TABLE}`;

/** Columns in table order, with their Log Analytics types (the DCR stream declares exactly these). */
export const AUDIT_COLUMNS = [
  { name: "TimeGenerated", type: "datetime" },
  { name: "ChainId", type: "string" },
  { name: "Seq", type: "long" },
  { name: "Time", type: "string" },
  { name: "Actor", type: "string" },
  { name: "Action", type: "string" },
  { name: "Subject", type: "string" },
  { name: "Digest", type: "string" },
  { name: "Details", type: "dynamic" },
  { name: "PrevHash", type: "string" },
  { name: "Hash", type: "string" },
] as const;

export type AuditColumn = (typeof AUDIT_COLUMNS)[number]["name"];
export type AuditRow = Record<AuditColumn, unknown>;

/** `time` as an ISO datetime for TimeGenerated; `fallback` when the stored text is not a date. */
function isoTime(time: string, fallback: string): string {
  const t = Date.parse(time);
  return Number.isNaN(t) ? fallback : new Date(t).toISOString();
}

/** One audit event as a ClarionAudit_CL row. `chainId` is the hash of the event with seq 1. */
export function toAuditRow(e: AuditEvent, chainId: string, exportedAt: string): AuditRow {
  return {
    TimeGenerated: isoTime(e.time, exportedAt),
    ChainId: chainId,
    Seq: e.seq,
    Time: e.time,
    Actor: e.actor,
    Action: e.action,
    Subject: e.subject,
    Digest: e.digest,
    Details: e.details,
    PrevHash: e.prevHash,
    Hash: e.hash,
  };
}

/**
 * A row read back from ClarionAudit_CL (a query result exported as JSON) as the stored event, for
 * `verifyChain`. Query exports often give `long` columns as strings and `dynamic` columns as JSON text: both
 * are accepted.
 */
export function fromAuditRow(r: Record<string, unknown>): AuditEvent {
  const details = typeof r.Details === "string" ? JSON.parse(r.Details) : (r.Details ?? null);
  return {
    seq: Number(r.Seq),
    time: String(r.Time ?? ""),
    actor: String(r.Actor ?? ""),
    action: String(r.Action ?? ""),
    subject: String(r.Subject ?? ""),
    digest: String(r.Digest ?? ""),
    details: details as Record<string, unknown>,
    prevHash: String(r.PrevHash ?? ""),
    hash: String(r.Hash ?? ""),
  };
}

/** Whether a parsed JSON object is a ClarionAudit_CL row rather than a stored event. */
export function isAuditRow(r: unknown): r is Record<string, unknown> {
  return !!r && typeof r === "object" && "Seq" in r && "Hash" in r && !("seq" in r);
}
