import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import pc from "../colors";
import { AuditExportRefused, type AuditExportReport, exportAuditLog } from "../../delivery/audit-export";
import { AUDIT_STREAM, AUDIT_TABLE, fromAuditRow, isAuditRow } from "../../delivery/audit-row";
import { buildSinks, loadDeliveryConfig } from "../../delivery/config";
import { drainOutbox, type RetryPolicy } from "../../delivery/outbox";
import { StoreDeliveryRepo } from "../../delivery/repo";
import { SENTINEL_TABLE } from "../../delivery/sentinel-row";
import type { Sink } from "../../delivery/sinks";
import { InputError } from "../../domain/errors";
import { canonicalAuditText, verifyChain } from "../../store/audit-chain";
import { DEFAULT_DB, openStore } from "../../store/open-store";
import type { AuditEvent } from "../../store/store";

/**
 * Reads an exported audit log: one JSON event per line (`audit export --out`), a malformed line reported with
 * its number; or rows read back from the ClarionAudit_CL table (JSON lines, or one JSON array as
 * `az monitor log-analytics query -o json` writes it). Table rows come in no particular order and a row may
 * have arrived twice (at-least-once delivery): they are put in Seq order and exact repeats dropped.
 */
export function readAuditJsonl(file: string): AuditEvent[] {
  const text = readFileSync(file, "utf8");
  const items: unknown[] = [];
  if (text.trimStart().startsWith("[")) {
    try {
      items.push(...(JSON.parse(text) as unknown[]));
    } catch (e) {
      throw new InputError(`not a JSON array: ${(e as Error).message}`, { file });
    }
  } else
    text.split("\n").forEach((l, i) => {
      if (!l.trim()) return;
      try {
        items.push(JSON.parse(l));
      } catch (e) {
        throw new InputError(`not a JSON event: ${(e as Error).message}`, { file, line: i + 1 });
      }
    });
  if (!items.some(isAuditRow)) return items as AuditEvent[];
  const rows = items.map((r, i) => {
    if (!isAuditRow(r)) throw new InputError(`not a ${AUDIT_TABLE} row (no Seq/Hash)`, { file, index: i });
    try {
      return fromAuditRow(r);
    } catch (e) {
      throw new InputError(`Details is not JSON: ${(e as Error).message}`, { file, index: i });
    }
  });
  rows.sort((a, b) => a.seq - b.seq);
  return rows.filter(
    (e, i) => i === 0 || e.seq !== rows[i - 1].seq || canonicalAuditText(e) + e.hash !== canonicalAuditText(rows[i - 1]) + rows[i - 1].hash,
  );
}

export function register(program: Command): void {
  const cmd = program.command("audit").description("The hash-chained audit log: verify, export");

  cmd
    .command("verify")
    .description("Verify the audit chain; exits non-zero on any edit, deletion or reordering")
    .option("--db <file>", "store", DEFAULT_DB)
    .option("--file <audit.jsonl>", "an exported log instead of the store (audit export --out, or ClarionAudit_CL rows as JSON)")
    .option("-o, --output <format>", "text | json", "text")
    .action(async (o: { db: string; file?: string; output: string }) => {
      let events: AuditEvent[];
      if (o.file) events = readAuditJsonl(o.file);
      else {
        const store = await openStore(o.db, { mustExist: true });
        try {
          events = await store.listAudit();
        } finally {
          await store.close();
        }
      }
      const v = verifyChain(events);
      const source = o.file ?? o.db;
      if (o.output === "json") process.stdout.write(`${JSON.stringify({ source, ...v }, null, 2)}\n`);
      else if (v.ok) process.stdout.write(`${pc.green("ok")} ${v.checked} event(s) in ${source}: chain intact\n`);
      else
        process.stdout.write(
          `${pc.red("BROKEN")} ${source}: event #${v.problem?.position} (seq ${v.problem?.seq}): ${v.problem?.reason}; ${v.checked} event(s) verified before it\n`,
        );
      if (!v.ok) process.exitCode = 5;
    });

  cmd
    .command("export")
    .description(
      "Export the audit log as JSON lines to a file, or to a delivery sink: Azure Blob (one versioned file), or a Logs Ingestion " +
        "sink (type sentinel, streamName Custom-ClarionAudit_CL: one row per event, only the events not yet sent)",
    )
    .option("--db <file>", "store", DEFAULT_DB)
    .option("--out <file>", "write audit.jsonl here")
    .option("--sink <name>", "a blob or sentinel (Logs Ingestion) sink from the delivery config")
    .option("--delivery-config <file>", "delivery config")
    .action(async (o: { db: string; out?: string; sink?: string; deliveryConfig?: string }) => {
      if (!o.out && !o.sink) throw new InputError("pass --out FILE or --sink NAME", { field: "--out" });
      const cfg = o.sink ? loadDeliveryConfig(o.deliveryConfig) : undefined;
      const sc = o.sink ? cfg?.sinks[o.sink] : undefined;
      if (o.sink && !sc) throw new InputError(`no sink named '${o.sink}' in the delivery config`, { field: "--sink" });
      if (sc && sc.type !== "blob" && sc.type !== "sentinel")
        throw new InputError(`sink '${o.sink}' is a ${sc.type} sink; the audit log goes to a blob or a sentinel (Logs Ingestion) sink`, {
          field: "--sink",
        });
      if (sc?.type === "sentinel" && (!sc.streamName || sc.streamName === `Custom-${SENTINEL_TABLE}`))
        throw new InputError(
          `sink '${o.sink}' sends to ${sc.streamName ?? `Custom-${SENTINEL_TABLE}`} (the findings table); the audit log needs a sentinel sink ` +
            `with "streamName": "${AUDIT_STREAM}" and the dcrImmutableId of deploy/sentinel/clarion-audit.bicep`,
          { field: "--sink" },
        );
      const store = await openStore(o.db, { mustExist: true });
      try {
        const events = await store.listAudit();
        if (o.out) {
          const jsonl = events.map((e) => JSON.stringify(e)).join("\n") + (events.length ? "\n" : "");
          writeFileSync(o.out, jsonl);
          process.stdout.write(`wrote ${events.length} event(s) to ${o.out}\n`);
        }
        if (!o.sink || !sc || !cfg) return;
        const repo = new StoreDeliveryRepo(store);
        const sinks = buildSinks(cfg, process.env, [o.sink]);
        try {
          if (sc.type === "blob") await exportToBlob(repo, events, sinks, o.sink, cfg.retry);
          else await exportToIngestion(repo, () => store.listAudit(), sinks[0], sc.streamName as string, cfg.retry);
        } finally {
          for (const s of sinks) s.close?.();
        }
      } finally {
        await store.close();
      }
    });
}

/** The whole log as one versioned JSON-lines blob (unchanged content is not written again). */
async function exportToBlob(repo: StoreDeliveryRepo, events: AuditEvent[], sinks: Sink[], sink: string, retry: RetryPolicy): Promise<void> {
  const jsonl = events.map((e) => JSON.stringify(e)).join("\n") + (events.length ? "\n" : "");
  const last = events.at(-1);
  await repo.enqueue(
    [
      {
        idempotencyKey: `${sink}:audit:${last?.hash ?? "empty"}`,
        sink,
        topic: "audit.export",
        payload: { name: "clarion-audit", content: jsonl },
      },
    ],
    new Date().toISOString(),
  );
  const r = await drainOutbox(repo, sinks, { retry, maxRounds: 1, onlySinks: [sink] });
  process.stdout.write(
    `exported ${events.length} event(s) to sink ${sink}: ${r.delivered} written, ${r.skipped} unchanged, ${r.retrying + r.dead} failed\n`,
  );
  if (r.retrying + r.dead > 0) process.exitCode = 1;
}

/** One ClarionAudit_CL row per event, only the events the stream has not been sent yet; counts that reconcile. */
async function exportToIngestion(
  repo: StoreDeliveryRepo,
  load: () => Promise<AuditEvent[]>,
  sink: Sink,
  stream: string,
  retry: RetryPolicy,
): Promise<void> {
  let r: AuditExportReport;
  try {
    r = await exportAuditLog(repo, load, sink, stream, { retry });
  } catch (e) {
    if (!(e instanceof AuditExportRefused)) throw e;
    // Exit 5, as `clarion audit verify` does for a broken chain: the log and what the SIEM holds disagree.
    process.stderr.write(`${pc.red("error")} [${e.code}] ${e.message}\n${pc.dim("hint:")} ${e.hint}\n`);
    process.exitCode = 5;
    return;
  }
  const failed = r.failed ? ` (${r.pending} pending retry, ${r.dead} dead-lettered)` : "";
  process.stdout.write(
    `audit log to sink ${r.sink} (${r.stream}): ${r.read} event(s) read = ${r.sent} sent + ${r.alreadySent} already sent + ${r.failed} failed${failed}\n`,
  );
  for (const e of r.errors.slice(0, 10)) process.stderr.write(`  ${e.sink} ${e.id}: ${e.error}\n`);
  if (r.pending)
    process.stderr.write("  pending events are sent by `clarion deliver run` or the next `clarion audit export` once their retry is due\n");
  for (const id of r.deadMessages.slice(0, 10)) process.stderr.write(`  dead-lettered: clarion deliver requeue ${id}\n`);
  if (r.failed) process.exitCode = 1;
}
