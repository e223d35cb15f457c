import type { Finding } from "../domain/finding";
import { contentHash, ticketView } from "./format";
import type { DeliveryRepo, NewOutboxMessage, OutboxMessage, TicketRecord } from "./repo";
import { toSentinelRow } from "./sentinel-row";
import { batchRows, PermanentDeliveryError, type Sink } from "./sinks";

export interface RetryPolicy {
  /** Attempts before a message is dead-lettered (default 6). */
  maxAttempts: number;
  /** Backoff base and cap (default 2 s and 15 min): base · 2^(attempt-1), ± 20 % jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 2_000, maxDelayMs: 15 * 60_000 };

export function backoffMs(attempt: number, p: RetryPolicy, random: () => number = Math.random): number {
  const raw = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.8 + 0.4 * random()));
}

// ------------------------------------------------------------------------------------------- enqueue

/**
 * One ticket message per finding and ticketing sink. The key carries the content hash, so re-running the
 * pipeline on an unchanged finding enqueues nothing, and a changed finding enqueues an update (the sink then
 * updates the existing ticket instead of opening another).
 */
export function ticketMessages(findings: Finding[], sinks: string[]): NewOutboxMessage[] {
  const out: NewOutboxMessage[] = [];
  for (const f of findings) {
    const view = ticketView(f);
    const hash = contentHash(view);
    for (const sink of sinks)
      out.push({
        idempotencyKey: `${sink}:ticket:${f.id}:${hash.slice(0, 16)}`,
        sink,
        topic: "finding.ticket",
        findingId: f.id,
        payload: { view, contentHash: hash },
      });
  }
  return out;
}

/** One chat notice per finding (Teams / Slack / webhook), keyed by finding and content. */
export function noticeMessages(findings: Finding[], sinks: string[]): NewOutboxMessage[] {
  return findings.flatMap((f) => {
    const hash = contentHash(ticketView(f)).slice(0, 16);
    return sinks.map((sink) => ({
      idempotencyKey: `${sink}:notice:${f.id}:${hash}`,
      sink,
      topic: "finding.notify",
      findingId: f.id,
      payload: { finding: f },
    }));
  });
}

/** Sentinel rows in ≤ 1 MB messages (one ingestion call each, so a retry never resends an accepted batch). */
export function sentinelMessages(findings: Finding[], sink: string, timeGenerated: string, maxBytes = 1_000_000): NewOutboxMessage[] {
  const rows = findings.map((f) => toSentinelRow(f, timeGenerated));
  return batchRows(rows, maxBytes).map((batch) => ({
    idempotencyKey: `${sink}:rows:${contentHash(batch.map((r) => [r.Id, r.TimeGenerated])).slice(0, 24)}`,
    sink,
    topic: "sentinel.rows",
    findingId: null,
    payload: { rows: batch },
  }));
}

// ------------------------------------------------------------------------------------------- dispatch

export interface DispatchOptions {
  retry?: Partial<RetryPolicy>;
  now?: () => Date;
  /** Messages claimed per round (default 50). */
  batch?: number;
  /** Lease on claimed messages (default 5 min). */
  leaseMs?: number;
  /** Claim only messages of these sink names (default: every due message; one without a built sink is dead-lettered). */
  onlySinks?: string[];
  random?: () => number;
}

export interface DispatchReport {
  attempted: number;
  delivered: number;
  /** Ids of the messages this dispatch delivered (or found up to date). */
  deliveredIds: string[];
  skipped: number;
  retrying: number;
  dead: number;
  errors: { id: string; sink: string; error: string }[];
}

/**
 * Delivers due outbox messages once each: success → delivered; failure → retried later with backoff, or
 * dead-lettered after `maxAttempts` (or at once for a permanent error). One failing sink never stops the others.
 */
export async function dispatchOutbox(repo: DeliveryRepo, sinks: Sink[], opts: DispatchOptions = {}): Promise<DispatchReport> {
  const policy = { ...DEFAULT_RETRY, ...opts.retry };
  const now = opts.now ?? (() => new Date());
  const bySink = new Map(sinks.map((s) => [s.name, s]));
  const report: DispatchReport = { attempted: 0, delivered: 0, deliveredIds: [], skipped: 0, retrying: 0, dead: 0, errors: [] };
  const claimed = await repo.claimDue(now().toISOString(), opts.batch ?? 50, opts.leaseMs ?? 300_000, opts.onlySinks);
  for (const msg of claimed) await deliverOne(repo, bySink.get(msg.sink), msg, policy, now, opts.random, report);
  return report;
}

async function deliverOne(
  repo: DeliveryRepo,
  sink: Sink | undefined,
  msg: OutboxMessage,
  policy: RetryPolicy,
  now: () => Date,
  random: (() => number) | undefined,
  report: DispatchReport,
): Promise<void> {
  report.attempted++;
  const attempt = msg.attempts + 1;
  const t0 = performance.now();
  const time = now().toISOString();
  try {
    if (!sink) throw new PermanentDeliveryError(`no sink named ${msg.sink} is configured`);
    const r = await sink.deliver(msg, { repo, now });
    await repo.markDelivered(msg.id, {
      messageId: msg.id,
      attempt,
      time,
      ok: true,
      statusCode: r.statusCode ?? null,
      error: null,
      durationMs: performance.now() - t0,
    });
    if (r.skipped) report.skipped++;
    else report.delivered++;
    report.deliveredIds.push(msg.id);
  } catch (e) {
    const permanent = e instanceof PermanentDeliveryError;
    const dead = permanent || attempt >= policy.maxAttempts;
    const statusCode = (e as { statusCode?: number }).statusCode ?? null;
    const error = String((e as Error)?.message ?? e).slice(0, 1000);
    // A service that says when to come back (429/503 Retry-After) is not called again sooner.
    const wait = Math.max(backoffMs(attempt, policy, random), (e as { retryAfterMs?: number }).retryAfterMs ?? 0);
    const next = new Date(Date.parse(time) + wait).toISOString();
    await repo.markFailed(
      msg.id,
      { messageId: msg.id, attempt, time, ok: false, statusCode, error, durationMs: performance.now() - t0 },
      { nextAttemptAt: next, dead },
    );
    if (dead) report.dead++;
    else report.retrying++;
    report.errors.push({ id: msg.id, sink: msg.sink, error });
  }
}

/** Runs dispatch rounds until nothing is due (or `maxRounds`); for the CLI and tests with a moving clock. */
export async function drainOutbox(
  repo: DeliveryRepo,
  sinks: Sink[],
  opts: DispatchOptions & { maxRounds?: number } = {},
): Promise<DispatchReport> {
  const total: DispatchReport = { attempted: 0, delivered: 0, deliveredIds: [], skipped: 0, retrying: 0, dead: 0, errors: [] };
  for (let i = 0; i < (opts.maxRounds ?? 100); i++) {
    const r = await dispatchOutbox(repo, sinks, opts);
    if (r.attempted === 0) break;
    for (const k of ["attempted", "delivered", "skipped", "retrying", "dead"] as const) total[k] += r[k];
    total.errors.push(...r.errors);
    total.deliveredIds.push(...r.deliveredIds);
  }
  return total;
}

// ------------------------------------------------------------------------------------- tickets back

/** The tickets a finding has (one per ticketing sink), with the status last synced from the ticketing system. */
export async function ticketFor(repo: DeliveryRepo, findingId: string): Promise<TicketRecord[]> {
  return repo.ticketsFor(findingId);
}

/** Reads every known ticket's status from its system and stores it on the ticket row. */
export async function syncTicketStatus(
  repo: DeliveryRepo,
  sinks: Sink[],
  now: () => Date = () => new Date(),
): Promise<{ checked: number; changed: TicketRecord[]; errors: string[] }> {
  const bySink = new Map(sinks.map((s) => [s.name, s]));
  const changed: TicketRecord[] = [];
  const errors: string[] = [];
  let checked = 0;
  for (const t of await repo.listTickets()) {
    const s = bySink.get(t.sink);
    if (!s?.ticketStatus) continue;
    checked++;
    try {
      const status = await s.ticketStatus(t);
      if (status !== t.status) {
        const next = { ...t, status, updatedAt: now().toISOString() };
        await repo.upsertTicket(next);
        changed.push(next);
      }
    } catch (e) {
      errors.push(`${t.sink} ${t.number}: ${(e as Error).message}`);
    }
  }
  return { checked, changed, errors };
}
