import { type FeedbackRecord } from "../../ai/ai-store";
import { listFeedback, recordFeedback } from "../../ai/feedback";
import { createHash, randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { InputError, NotFoundError } from "../../domain/errors";
import { APPROVAL_STATES } from "../../workflow";
import { principalOf, S, type ServerContext } from "../context";
import type { Permission, Principal } from "../rbac";
import type { ApprovalFilter } from "../workflow-port";
import { loadFinding } from "./findings";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
interface ActionBody {
  comment?: string;
  at?: string;
  location?: string;
}
const ACTION_BODY = {
  type: "object",
  properties: {
    comment: { type: "string", maxLength: 4000, description: "reason (required to reject or ask for info; the answer for provide-info)" },
    at: { type: "string", maxLength: 40, description: "schedule: ISO date-time" },
    location: { type: "string", maxLength: 40, description: "deploy: region of the assignment's managed identity" },
  },
} as const;
const MAX_EXEMPTION_DAYS = 366;

export function registerWorkflowRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    "/api/v1/approvals",
    {
      config: { permission: "read" },
      schema: {
        tags: ["approvals"],
        summary: "The approvals queue: fixes waiting for, or past, a decision (newest activity first)",
        querystring: {
          type: "object",
          properties: { state: { type: "string", enum: [...APPROVAL_STATES] }, findingId: S.str },
        },
      },
    },
    async (req) => ({ items: await ctx.workflow.list(principalOf(req), req.query as ApprovalFilter) }),
  );

  app.get(
    "/api/v1/approvals/:id",
    { config: { permission: "read" }, schema: { tags: ["approvals"], summary: "One approval with its history", params: S.idParam } },
    async (req) => ctx.workflow.get(principalOf(req), (req.params as { id: string }).id),
  );

  app.post(
    "/api/v1/approvals",
    {
      config: { permission: "approval:request" },
      schema: {
        tags: ["approvals"],
        summary:
          "Ask for a finding's Azure Policy fix to be approved: drafts it, measures its blast radius (policy what-if) and submits it for review",
        body: {
          type: "object",
          required: ["findingId"],
          properties: {
            findingId: S.str,
            effect: { type: "string", description: "effect after the audit stage (default: the strongest the draft allows)" },
            comment: { type: "string", maxLength: 4000 },
            submit: { type: "boolean", default: true, description: "false: keep it as a draft" },
          },
        },
      },
    },
    async (req, reply) => {
      const b = req.body as { findingId: string; effect?: string; comment?: string; submit?: boolean };
      const a = await ctx.workflow.request(principalOf(req), {
        findingId: b.findingId,
        effect: b.effect,
        reason: b.comment,
        submit: b.submit,
      });
      reply.status(201);
      return a;
    },
  );

  const action = (
    path: string,
    permission: Permission,
    summary: string,
    run: (by: Principal, id: string, body: ActionBody) => Promise<unknown>,
  ) =>
    app.post(
      `/api/v1/approvals/:id/${path}`,
      { config: { permission }, schema: { tags: ["approvals"], summary, params: S.idParam, body: ACTION_BODY } },
      async (req) => run(principalOf(req), (req.params as { id: string }).id, (req.body as ActionBody | undefined) ?? {}),
    );
  action(
    "approve",
    "approval:decide",
    "Approve (four eyes: never the author; above the blast-radius limit a second approver is needed)",
    (by, id, b) => ctx.workflow.approve(by, id, b.comment),
  );
  action("reject", "approval:decide", "Reject, with a reason", (by, id, b) => ctx.workflow.reject(by, id, b.comment ?? ""));
  action("request-info", "approval:decide", "Ask the author for more information (needs-info)", (by, id, b) =>
    ctx.workflow.requestInfo(by, id, b.comment ?? ""),
  );
  action("provide-info", "approval:request", "The author answers an information request (back to pending-review)", (by, id, b) =>
    ctx.workflow.resubmit(by, id, b.comment ?? ""),
  );
  action("schedule", "deploy", "Schedule an approved change (`at`, default now)", (by, id, b) =>
    ctx.workflow.schedule(by, id, { at: b.at, reason: b.comment }),
  );
  action(
    "deploy",
    "deploy",
    "Deploy through Azure Policy (audit first, then the target effect); the rollout phase and blast radius are enforced here",
    (by, id, b) => ctx.workflow.deploy(by, id, { reason: b.comment, location: b.location }),
  );
  action("rollback", "deploy", "Roll a deployed change back (properties reverted, assignment and definition restored)", (by, id, b) =>
    ctx.workflow.rollback(by, id, b.comment),
  );
  action("verify", "deploy:verify", "Check the deployment is live as recorded and mark it verified", (by, id, b) =>
    ctx.workflow.verify(by, id, b.comment),
  );

  // Exemptions: risk acceptance with a justification and an expiry, recorded in the audit chain.
  app.get(
    "/api/v1/exemptions",
    {
      config: { permission: "read" },
      schema: {
        tags: ["exemptions"],
        summary: "Exemptions (active and past)",
        querystring: { type: "object", properties: { findingId: S.str, active: S.bool } },
      },
    },
    async (req) => {
      const q = req.query as { findingId?: string; active?: boolean };
      const c: string[] = [];
      const p: string[] = [];
      if (q.findingId) {
        c.push("finding_id = ?");
        p.push(q.findingId);
      }
      if (q.active) {
        c.push("revoked_at IS NULL AND expires_on > ?");
        p.push(ctx.now().toISOString());
      }
      const rows = ctx.db
        .prepare(`SELECT * FROM server_exemptions ${c.length ? `WHERE ${c.join(" AND ")}` : ""} ORDER BY created_at DESC LIMIT 1000`)
        .all(...p);
      return { items: (rows as Record<string, string | null>[]).map(exemptionOut) };
    },
  );

  app.post(
    "/api/v1/exemptions",
    {
      config: { permission: "exemption:write" },
      schema: {
        tags: ["exemptions"],
        summary: "Exempt a finding, with a justification (20+ characters) and an expiry within a year",
        body: {
          type: "object",
          required: ["findingId", "justification", "expiresOn"],
          properties: {
            findingId: S.str,
            category: { type: "string", enum: ["waiver", "mitigated"], default: "waiver" },
            justification: { type: "string", minLength: 1, maxLength: 4000 },
            expiresOn: { type: "string", description: "ISO date, e.g. 2027-03-31" },
            owner: { type: "string", maxLength: 200 },
          },
        },
      },
    },
    async (req, reply) => {
      const b = req.body as { findingId: string; category?: string; justification: string; expiresOn: string; owner?: string };
      const who = principalOf(req);
      const f = await loadFinding(ctx, b.findingId, who);
      if (b.justification.trim().length < 20)
        throw new InputError("a justification needs at least 20 characters saying why the risk is accepted", { field: "justification" });
      const exp = Date.parse(b.expiresOn);
      const now = ctx.now().getTime();
      if (!Number.isFinite(exp)) throw new InputError(`expiresOn is not a date: '${b.expiresOn}'`, { field: "expiresOn" });
      if (exp <= now) throw new InputError("expiresOn must be in the future", { field: "expiresOn" });
      if (exp - now > MAX_EXEMPTION_DAYS * 86_400_000)
        throw new InputError(`an exemption may last at most ${MAX_EXEMPTION_DAYS} days`, { field: "expiresOn" });
      const row = {
        id: `exm-${randomUUID().slice(0, 12)}`,
        finding_id: f.id,
        category: b.category ?? "waiver",
        justification: b.justification.trim(),
        owner: b.owner?.trim() || f.owner.email || f.owner.name,
        expires_on: new Date(exp).toISOString(),
        created_by: who.name,
        created_at: ctx.now().toISOString(),
        revoked_at: null,
      };
      ctx.db
        .prepare(
          "INSERT INTO server_exemptions (id, finding_id, category, justification, owner, expires_on, created_by, created_at) VALUES (?,?,?,?,?,?,?,?)",
        )
        .run(row.id, row.finding_id, row.category, row.justification, row.owner, row.expires_on, row.created_by, row.created_at);
      ctx.reader.touched();
      await ctx.store.appendAudit([
        {
          time: row.created_at,
          actor: who.name,
          action: "exemption.granted",
          subject: f.id,
          digest: sha256(JSON.stringify(row)),
          details: {
            exemptionId: row.id,
            category: row.category,
            expiresOn: row.expires_on,
            justification: row.justification,
            role: who.role,
          },
        },
      ]);
      reply.status(201);
      return exemptionOut(row);
    },
  );

  app.delete(
    "/api/v1/exemptions/:id",
    { config: { permission: "exemption:write" }, schema: { tags: ["exemptions"], summary: "Revoke an exemption", params: S.idParam } },
    async (req) => {
      const { id } = req.params as { id: string };
      const who = principalOf(req);
      const time = ctx.now().toISOString();
      const res = ctx.db.prepare("UPDATE server_exemptions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL").run(time, id);
      if (!res.changes) throw new NotFoundError(`no active exemption ${id}`);
      ctx.reader.touched();
      const row = ctx.db.prepare("SELECT * FROM server_exemptions WHERE id = ?").get(id) as Record<string, string | null>;
      await ctx.store.appendAudit([
        {
          time,
          actor: who.name,
          action: "exemption.revoked",
          subject: row.finding_id as string,
          digest: sha256(id),
          details: { exemptionId: id, role: who.role },
        },
      ]);
      return exemptionOut(row);
    },
  );

  // Feedback on explanations (was it useful, what was wrong) feeds the AI evaluation.
  app.post(
    "/api/v1/findings/:id/feedback",
    {
      config: { permission: "feedback:write" },
      schema: {
        tags: ["feedback"],
        summary: "Rate a finding's explanation",
        params: S.idParam,
        body: { type: "object", required: ["helpful"], properties: { helpful: S.bool, comment: { type: "string", maxLength: 4000 } } },
      },
    },
    async (req, reply) => {
      const { id } = req.params as { id: string };
      const b = req.body as { helpful: boolean; comment?: string };
      const who = principalOf(req);
      const f = await loadFinding(ctx, id, who);
      // One feedback store for the CLI, the API and the AI evaluation (src/ai/feedback.ts); it also audits.
      const saved = await recordFeedback(ctx.store, { subject: f.id, vote: b.helpful ? "up" : "down", comment: b.comment, actor: who.name, now: ctx.now() });
      reply.status(201);
      return feedbackOut(saved);
    },
  );

  app.get(
    "/api/v1/feedback",
    { config: { permission: "read" }, schema: { tags: ["feedback"], summary: "Explanation feedback, newest first, with totals" } },
    async () => {
      const all = await listFeedback(ctx.store);
      const items = all.map(feedbackOut).sort((a, b) => b.created_at.localeCompare(a.created_at)).slice(0, 1000);
      return { items, helpful: all.filter((r) => r.vote === "up").length, total: all.length };
    },
  );
}

/** The API's feedback shape, from the shared feedback record. */
export function feedbackOut(r: FeedbackRecord): { id: string; finding_id: string; actor: string; helpful: boolean; comment: string | null; created_at: string } {
  return { id: `fb-${r.id ?? r.time}`, finding_id: r.subject, actor: r.actor, helpful: r.vote === "up", comment: r.comment, created_at: r.time };
}

function exemptionOut(r: Record<string, string | null>) {
  return {
    id: r.id,
    findingId: r.finding_id,
    category: r.category,
    justification: r.justification,
    owner: r.owner,
    expiresOn: r.expires_on,
    createdBy: r.created_by,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
  };
}
