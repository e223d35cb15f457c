import type { FastifyInstance } from "fastify";
import type { ServerContext } from "../context";
import { recordSentinelIncident, type SentinelIncidentPost } from "../incidents";

const nullable = (type: string, extra: object = {}) => ({ type: [type, "null"], ...extra });

/** Inbound webhooks: external systems authenticated by their own shared secret, not by a user's token. */
export function registerWebhookRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post(
    "/api/v1/webhooks/sentinel",
    {
      config: { webhook: "sentinel" },
      schema: {
        tags: ["webhooks"],
        summary:
          "Sentinel incident from the Clarion playbook: recorded against the findings its alerts name (custom detail FindingId), once per Idempotency-Key",
        security: [{ webhookToken: [] }],
        headers: {
          type: "object",
          required: ["idempotency-key"],
          properties: { "idempotency-key": { type: "string", minLength: 1, maxLength: 512, description: "the incident's ARM id" } },
        },
        body: {
          type: "object",
          required: ["incidentArmId"],
          properties: {
            source: nullable("string", { maxLength: 100 }),
            incidentArmId: { type: "string", minLength: 1, maxLength: 1000 },
            incidentNumber: { type: ["integer", "string", "null"] },
            incidentUrl: nullable("string", { maxLength: 2000 }),
            title: nullable("string", { maxLength: 2000 }),
            severity: nullable("string", { maxLength: 100 }),
            status: nullable("string", { maxLength: 100 }),
            createdTimeUtc: nullable("string", { maxLength: 100 }),
            alerts: nullable("array", { maxItems: 1000, items: { type: "object", additionalProperties: true } }),
            relatedResources: nullable("array", { maxItems: 2000 }),
          },
        },
      },
    },
    async (req, reply) => {
      const r = await recordSentinelIncident(
        ctx.store,
        req.headers["idempotency-key"] as string | undefined,
        req.body as SentinelIncidentPost,
        ctx.now(),
      );
      if (r.replayed) reply.header("idempotent-replayed", "true");
      reply.status(r.status);
      return r.body;
    },
  );
}
