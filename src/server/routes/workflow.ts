import { type FeedbackRecord } from "../../ai/ai-store";
import { listFeedback, recordFeedback } from "../../ai/feedback";
import type { FastifyInstance } from "fastify";
import { APPROVAL_STATES } from "../../workflow";
import { principalOf, S, type ServerContext } from "../context";
import type { Permission, Principal } from "../rbac";
import type { ApprovalFilter } from "../workflow-port";
import { type ExemptionRequest, grantExemption, listExemptions, revokeExemption } from "../exemptions";
import { loadFinding } from "./findings";

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
        summary:
          "Exemptions (compliance's: made here or with `clarion compliance exempt`/import), newest first; `findingId`: those covering that finding; `active`: not expired",
        querystring: { type: "object", properties: { findingId: S.str, active: S.bool } },
      },
    },
    async (req) => {
      const q = req.query as { findingId?: string; active?: boolean };
      return { items: await listExemptions(ctx, principalOf(req), q) };
    },
  );

  app.post(
    "/api/v1/exemptions",
    {
      config: { permission: "exemption:write" },
      schema: {
        tags: ["exemptions"],
        summary:
          "Exempt a finding (a compliance exemption: gap analysis, evidence and the CLI see it), with a justification (20+ characters) and an expiry within a year",
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
      const b = req.body as ExemptionRequest;
      const who = principalOf(req);
      const f = await loadFinding(ctx, b.findingId, who);
      const out = await grantExemption(ctx, who, f, b);
      reply.status(201);
      return out;
    },
  );

  app.delete(
    "/api/v1/exemptions/:id",
    {
      config: { permission: "exemption:write" },
      schema: {
        tags: ["exemptions"],
        summary: "Remove an exemption (any kind, also one made with `clarion compliance exempt`); the findings it covered are open again",
        params: S.idParam,
      },
    },
    async (req) => revokeExemption(ctx, principalOf(req), (req.params as { id: string }).id),
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
