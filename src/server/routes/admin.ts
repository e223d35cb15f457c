import { createHash } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { GENESIS_HASH, verifyChain } from "../../store/audit-chain";
import type { AuditEvent } from "../../store/store";
import { principalOf, S, type ServerContext } from "../context";
import { permissionsOf } from "../rbac";

export const AUDIT_COLUMNS = "seq, time, actor, action, subject, digest, details, prev_hash, hash";

export function rowToEvent(r: Record<string, unknown>): AuditEvent {
  return {
    seq: Number(r.seq),
    time: r.time as string,
    actor: r.actor as string,
    action: r.action as string,
    subject: r.subject as string,
    digest: r.digest as string,
    details: JSON.parse(r.details as string),
    prevHash: r.prev_hash as string,
    hash: r.hash as string,
  };
}

export function registerAdminRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    "/api/v1/me",
    { config: { permission: "read" }, schema: { tags: ["auth"], summary: "Who am I: name, role, permissions" } },
    async (req) => {
      const p = principalOf(req);
      return { ...p, permissions: permissionsOf(p.role) };
    },
  );

  app.get(
    "/api/v1/audit",
    {
      config: { permission: "audit:read" },
      schema: {
        tags: ["audit"],
        summary: "The hash-chained audit log, newest first",
        querystring: {
          type: "object",
          properties: {
            action: { type: "string", description: "prefix, e.g. approval." },
            actor: S.str,
            subject: S.str,
            limit: { type: "integer", minimum: 1, maximum: 1000, default: 100 },
            offset: { type: "integer", minimum: 0, default: 0 },
          },
        },
      },
    },
    async (req) => {
      const q = req.query as { action?: string; actor?: string; subject?: string; limit?: number; offset?: number };
      const c: string[] = [];
      const p: (string | number)[] = [];
      if (q.action) {
        c.push("action LIKE ? ESCAPE '\\'");
        p.push(`${q.action.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
      }
      if (q.actor) {
        c.push("actor = ?");
        p.push(q.actor);
      }
      if (q.subject) {
        c.push("subject = ?");
        p.push(q.subject);
      }
      const where = c.length ? `WHERE ${c.join(" AND ")}` : "";
      const items = (
        await ctx.store.query<Record<string, unknown>>(`SELECT ${AUDIT_COLUMNS} FROM audit ${where} ORDER BY seq DESC LIMIT ? OFFSET ?`, [
          ...p,
          q.limit ?? 100,
          q.offset ?? 0,
        ])
      ).map(rowToEvent);
      const [t] = await ctx.store.query<{ n: number }>(`SELECT count(*) AS n FROM audit ${where}`, p);
      return { items, total: Number(t?.n ?? 0) };
    },
  );

  app.get(
    "/api/v1/audit/verify",
    {
      config: { permission: "audit:read" },
      schema: { tags: ["audit"], summary: "Verify the whole hash chain (detects any edit, deletion, insertion or reordering)" },
    },
    async () => {
      const events = await ctx.store.listAudit();
      const verdict = verifyChain(events);
      const last = events[events.length - 1];
      return { ...verdict, lastSeq: last?.seq ?? 0, lastHash: last?.hash ?? GENESIS_HASH, verifiedAt: new Date().toISOString() };
    },
  );

  app.get(
    "/api/v1/tokens",
    { config: { permission: "tokens:admin" }, schema: { tags: ["auth"], summary: "API tokens (never the secrets)" } },
    async () => ({ items: await ctx.tokens.list() }),
  );

  app.post(
    "/api/v1/tokens",
    {
      config: { permission: "tokens:admin" },
      schema: {
        tags: ["auth"],
        summary: "Create an API token; the secret is returned once",
        body: { type: "object", required: ["name", "role"], properties: { name: S.str, role: S.str, scope: S.str } },
      },
    },
    async (req, reply) => {
      const b = req.body as { name: string; role: string; scope?: string };
      const who = principalOf(req);
      const { token, info } = await ctx.tokens.create({ ...b, createdBy: who.name });
      await ctx.store.appendAudit([
        {
          time: info.createdAt,
          actor: who.name,
          action: "token.created",
          subject: info.id,
          digest: createHash("sha256").update(JSON.stringify(info)).digest("hex"),
          details: { name: info.name, role: info.role, scope: info.scope },
        },
      ]);
      reply.status(201);
      return { token, ...info };
    },
  );

  app.delete(
    "/api/v1/tokens/:id",
    { config: { permission: "tokens:admin" }, schema: { tags: ["auth"], summary: "Revoke an API token", params: S.idParam } },
    async (req) => {
      const who = principalOf(req);
      const info = await ctx.tokens.revoke((req.params as { id: string }).id);
      await ctx.store.appendAudit([
        {
          time: new Date().toISOString(),
          actor: who.name,
          action: "token.revoked",
          subject: info.id,
          digest: info.id,
          details: { name: info.name },
        },
      ]);
      return info;
    },
  );
}
