import type { Command } from "commander";
import { TokenService } from "../../server/auth";
import { DEFAULT_DB, openStore } from "../../store/open-store";
import { render } from "../output";

async function withTokens<T>(
  db: string,
  fn: (t: TokenService, audit: (action: string, subject: string, details: Record<string, unknown>) => Promise<void>) => Promise<T>,
): Promise<T> {
  const store = await openStore(db, { mustExist: true });
  try {
    const actor = process.env.CLARION_ACTOR ?? process.env.USER ?? "cli";
    return await fn(new TokenService(store), async (action, subject, details) => {
      await store.appendAudit([{ time: new Date().toISOString(), actor, action, subject, digest: subject, details }]);
    });
  } finally {
    await store.close();
  }
}

export function register(program: Command): void {
  const tokens = program.command("tokens").description("API tokens for `clarion serve` (stored hashed; the secret is shown once)");
  tokens
    .command("create")
    .description("Create a token and print it once")
    .requiredOption("--name <name>", "who or what uses it")
    .requiredOption("--role <role>", "viewer | analyst | approver | deployer | admin")
    .option("--scope <subscriptionId>", "limit findings to one subscription")
    .option("--db <file|url>", "store: an SQLite file or a postgres:// URL", DEFAULT_DB)
    .option("-o, --output <format>", "text | json", "text")
    .action(async (o: { name: string; role: string; scope?: string; db: string; output: string }) => {
      const { token, info } = await withTokens(o.db, async (t, audit) => {
        const created = await t.create({ name: o.name, role: o.role, scope: o.scope, createdBy: process.env.USER ?? "cli" });
        await audit("token.created", created.info.id, { name: created.info.name, role: created.info.role, scope: created.info.scope });
        return created;
      });
      if (o.output === "json") process.stdout.write(`${JSON.stringify({ token, ...info }, null, 2)}\n`);
      else {
        process.stdout.write(`${token}\n`);
        process.stderr.write(
          `token ${info.id} (${info.name}, role ${info.role}${info.scope ? `, scope ${info.scope}` : ""}); store it now, it is not shown again\n`,
        );
      }
    });
  tokens
    .command("list")
    .description("List tokens (never the secrets)")
    .option("--db <file|url>", "store: an SQLite file or a postgres:// URL", DEFAULT_DB)
    .option("-o, --output <format>", "table | json | csv", "table")
    .option("--query <jmespath>", "JMESPath query over the JSON output")
    .action(async (o: { db: string; output: string; query?: string }) => {
      const list = await withTokens(o.db, async (t) => t.list());
      process.stdout.write(
        render(list, { output: o.output, query: o.query }, ["id", "name", "role", "scope", "createdAt", "lastUsedAt", "revokedAt"]),
      );
    });
  tokens
    .command("revoke <id>")
    .description("Revoke a token")
    .option("--db <file|url>", "store: an SQLite file or a postgres:// URL", DEFAULT_DB)
    .action(async (id: string, o: { db: string }) => {
      const info = await withTokens(o.db, async (t, audit) => {
        const r = await t.revoke(id);
        await audit("token.revoked", id, { name: r.name });
        return r;
      });
      process.stderr.write(`revoked ${info.id} (${info.name})\n`);
    });
}
