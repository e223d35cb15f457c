import type { Command } from "commander";
import { buildSinks, loadDeliveryConfig } from "../../delivery/config";
import { drainOutbox, noticeMessages, sentinelMessages, syncTicketStatus, ticketMessages } from "../../delivery/outbox";
import { type OutboxState, StoreDeliveryRepo } from "../../delivery/repo";
import { NotFoundError } from "../../domain/errors";
import { DEFAULT_DB, openStore } from "../../store/open-store";
import type { Store } from "../../store/store";
import { render } from "../output";

/** The outbox lives in the store named by --db (an SQLite file or a postgres:// URL). */
async function withRepo<T>(db: string, fn: (repo: StoreDeliveryRepo, store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(db, { mustExist: true });
  try {
    return await fn(new StoreDeliveryRepo(store), store);
  } finally {
    await store.close();
  }
}

const listing = (c: Command) =>
  c
    .option("--db <file>", "store", DEFAULT_DB)
    .option("-o, --output <format>", "table | json | csv", "table")
    .option("--query <jmespath>", "JMESPath query");

export function register(program: Command): void {
  const cmd = program
    .command("deliver")
    .description("Tickets, chat notices, Sentinel rows and Sentinel incidents (from `changes anomalies --deliver`) through the transactional outbox");

  cmd
    .command("enqueue")
    .description("Queue tickets, notices and Sentinel rows for the stored unhealthy findings (unchanged findings are not queued again)")
    .option("--db <file>", "store", DEFAULT_DB)
    .option("--config <file>", "delivery config (default ./clarion.delivery.json or CLARION_DELIVERY_CONFIG)")
    .option("--min-risk <n>", "override the config's minRisk")
    .action(async (o: { db: string; config?: string; minRisk?: string }) => {
      const cfg = loadDeliveryConfig(o.config);
      await withRepo(o.db, async (repo, store) => {
        const all = (await store.listFindings({ status: "Unhealthy" })).filter((f) => !f.exemption);
        const minRisk = o.minRisk !== undefined ? Number(o.minRisk) : cfg.minRisk;
        const picked = all.filter((f) => f.risk.score >= minRisk);
        const now = new Date().toISOString();
        const msgs = [
          ...ticketMessages(picked, cfg.tickets),
          ...noticeMessages(picked, cfg.notices),
          ...(cfg.sentinel ? sentinelMessages(all, cfg.sentinel, now) : []),
        ];
        const n = await repo.enqueue(msgs, now);
        process.stdout.write(
          `queued ${n} new message(s) (${msgs.length - n} already queued) for ${picked.length} finding(s) at risk >= ${minRisk}\n`,
        );
      });
    });

  cmd
    .command("run")
    .description("Deliver the due messages (retries with backoff, dead-letters after the configured attempts)")
    .option("--db <file>", "store", DEFAULT_DB)
    .option("--config <file>", "delivery config")
    .option("--rounds <n>", "dispatch rounds", "1")
    .action(async (o: { db: string; config?: string; rounds: string }) => {
      const cfg = loadDeliveryConfig(o.config);
      const sinks = buildSinks(cfg);
      try {
        await withRepo(o.db, async (repo) => {
          const r = await drainOutbox(repo, sinks, { retry: cfg.retry, maxRounds: Number(o.rounds) });
          process.stdout.write(
            `${r.delivered} delivered, ${r.skipped} already up to date, ${r.retrying} to retry, ${r.dead} dead-lettered\n`,
          );
          for (const e of r.errors.slice(0, 10)) process.stderr.write(`  ${e.sink} ${e.id}: ${e.error}\n`);
          if (r.dead > 0) process.exitCode = 1;
        });
      } finally {
        for (const s of sinks) s.close?.();
      }
    });

  listing(cmd.command("status").description("List outbox messages"))
    .option("--state <state>", "pending | delivered | dead")
    .option("--sink <name>", "one sink")
    .action(async (o: { db: string; output: string; query?: string; state?: OutboxState; sink?: string }) =>
      withRepo(o.db, async (repo) => {
        const rows = (await repo.list({ state: o.state, sink: o.sink })).map(({ payload: _p, ...m }) => m);
        process.stdout.write(
          render(
            rows,
            o,
            o.output === "table" ? ["id", "sink", "topic", "findingId", "state", "attempts", "nextAttemptAt", "lastError"] : undefined,
          ),
        );
      }),
    );

  listing(cmd.command("tickets").description("Tickets per finding, with the status synced from the ticketing system"))
    .option("--finding <id>", "one finding")
    .action(async (o: { db: string; output: string; query?: string; finding?: string }) =>
      withRepo(o.db, async (repo) => {
        const rows = o.finding ? await repo.ticketsFor(o.finding) : await repo.listTickets();
        process.stdout.write(
          render(rows, o, o.output === "table" ? ["findingId", "sink", "number", "status", "updatedAt", "url"] : undefined),
        );
      }),
    );

  cmd
    .command("sync")
    .description("Read every ticket's status back from ServiceNow / Jira")
    .option("--db <file>", "store", DEFAULT_DB)
    .option("--config <file>", "delivery config")
    .action(async (o: { db: string; config?: string }) => {
      const sinks = buildSinks(loadDeliveryConfig(o.config));
      try {
        await withRepo(o.db, async (repo) => {
          const r = await syncTicketStatus(repo, sinks);
          process.stdout.write(`checked ${r.checked} ticket(s), ${r.changed.length} changed status\n`);
          for (const e of r.errors) process.stderr.write(`  ${e}\n`);
        });
      } finally {
        for (const s of sinks) s.close?.();
      }
    });

  cmd
    .command("requeue <messageId>")
    .description("Move a dead-lettered message back to the queue")
    .option("--db <file>", "store", DEFAULT_DB)
    .action(async (id: string, o: { db: string }) =>
      withRepo(o.db, async (repo) => {
        if (!(await repo.requeue(id, new Date().toISOString()))) throw new NotFoundError(`no dead-lettered message ${id}`);
        process.stdout.write(`requeued ${id}\n`);
      }),
    );
}
