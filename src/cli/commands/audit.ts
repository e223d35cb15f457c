import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import pc from "../colors";
import { buildSinks, loadDeliveryConfig } from "../../delivery/config";
import { drainOutbox } from "../../delivery/outbox";
import { StoreDeliveryRepo } from "../../delivery/repo";
import { InputError } from "../../domain/errors";
import { verifyChain } from "../../store/audit-chain";
import { DEFAULT_DB, openStore } from "../../store/open-store";
import type { AuditEvent } from "../../store/store";

/** Reads an exported audit log (one JSON event per line); a malformed line is reported with its number. */
export function readAuditJsonl(file: string): AuditEvent[] {
  const lines = readFileSync(file, "utf8").split("\n");
  const out: AuditEvent[] = [];
  lines.forEach((l, i) => {
    if (!l.trim()) return;
    try {
      out.push(JSON.parse(l));
    } catch (e) {
      throw new InputError(`not a JSON event: ${(e as Error).message}`, { file, line: i + 1 });
    }
  });
  return out;
}

export function register(program: Command): void {
  const cmd = program.command("audit").description("The hash-chained audit log: verify, export");

  cmd
    .command("verify")
    .description("Verify the audit chain; exits non-zero on any edit, deletion or reordering")
    .option("--db <file>", "store", DEFAULT_DB)
    .option("--file <audit.jsonl>", "an exported log instead of the store")
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
    .description("Export the audit log as JSON lines to a file, or to a delivery sink (Azure Blob)")
    .option("--db <file>", "store", DEFAULT_DB)
    .option("--out <file>", "write audit.jsonl here")
    .option("--sink <name>", "a blob sink from the delivery config")
    .option("--delivery-config <file>", "delivery config")
    .action(async (o: { db: string; out?: string; sink?: string; deliveryConfig?: string }) => {
      if (!o.out && !o.sink) throw new InputError("pass --out FILE or --sink NAME", { field: "--out" });
      const store = await openStore(o.db, { mustExist: true });
      try {
        const events = await store.listAudit();
        const jsonl = events.map((e) => JSON.stringify(e)).join("\n") + (events.length ? "\n" : "");
        if (o.out) {
          writeFileSync(o.out, jsonl);
          process.stdout.write(`wrote ${events.length} event(s) to ${o.out}\n`);
        }
        if (o.sink) {
          const cfg = loadDeliveryConfig(o.deliveryConfig);
          const sc = cfg.sinks[o.sink];
          if (!sc || sc.type !== "blob") throw new InputError(`sink '${o.sink}' is not a blob sink`, { field: "--sink" });
          const repo = new StoreDeliveryRepo(store);
          const last = events.at(-1);
          await repo.enqueue(
            [
              {
                idempotencyKey: `${o.sink}:audit:${last?.hash ?? "empty"}`,
                sink: o.sink,
                topic: "audit.export",
                payload: { name: "clarion-audit", content: jsonl },
              },
            ],
            new Date().toISOString(),
          );
          const r = await drainOutbox(repo, buildSinks(cfg, process.env, [o.sink]), { retry: cfg.retry, maxRounds: 1 });
          process.stdout.write(
            `exported ${events.length} event(s) to sink ${o.sink}: ${r.delivered} written, ${r.skipped} unchanged, ${r.retrying + r.dead} failed\n`,
          );
          if (r.retrying + r.dead > 0) process.exitCode = 1;
        }
      } finally {
        await store.close();
      }
    });
}
