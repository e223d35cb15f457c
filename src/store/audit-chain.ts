import { createHash } from "node:crypto";
import type { AuditEvent } from "./store";

export const GENESIS_HASH = "0".repeat(64);

/** The canonical text hashed for an event: every field but `hash`, keys in a fixed order. */
export function canonicalAuditText(e: Omit<AuditEvent, "hash">): string {
  return JSON.stringify([e.seq, e.time, e.actor, e.action, e.subject, e.digest, sortKeys(e.details), e.prevHash]);
}

export function hashAuditEvent(e: Omit<AuditEvent, "hash">): string {
  return createHash("sha256").update(canonicalAuditText(e)).digest("hex");
}

/** Links new events onto a chain whose last event has `lastSeq` / `lastHash`. */
export function chainEvents(
  events: Omit<AuditEvent, "seq" | "prevHash" | "hash">[],
  lastSeq: number,
  lastHash: string,
): AuditEvent[] {
  const out: AuditEvent[] = [];
  let seq = lastSeq;
  let prev = lastHash;
  for (const e of events) {
    const base = { ...e, seq: ++seq, prevHash: prev };
    const hash = hashAuditEvent(base);
    out.push({ ...base, hash });
    prev = hash;
  }
  return out;
}

export interface ChainVerdict {
  ok: boolean;
  checked: number;
  /** First broken link: 1-based position in the list and what is wrong. */
  problem?: { position: number; seq: number | undefined; reason: string };
}

/** Detects any edit, deletion, insertion or reordering. */
export function verifyChain(events: AuditEvent[]): ChainVerdict {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.seq !== expectedSeq)
      return { ok: false, checked: i, problem: { position: i + 1, seq: e.seq, reason: `sequence ${e.seq} where ${expectedSeq} was expected (deleted or reordered event)` } };
    if (e.prevHash !== prev)
      return { ok: false, checked: i, problem: { position: i + 1, seq: e.seq, reason: "previous-hash link broken (event removed, inserted or reordered)" } };
    const { hash, ...rest } = e;
    if (hashAuditEvent(rest) !== hash)
      return { ok: false, checked: i, problem: { position: i + 1, seq: e.seq, reason: "content does not match its hash (event edited)" } };
    prev = hash;
    expectedSeq++;
  }
  return { ok: true, checked: events.length };
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object")
    return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}
