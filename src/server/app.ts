import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import fastifySwagger from "@fastify/swagger";
import Fastify, { type FastifyInstance } from "fastify";
import { InputError, NotAllowedError } from "../domain/errors";
import type { Store } from "../store/store";
import type { GovernanceConfig, PolicyWriteClient } from "../workflow";
import { authenticate, type EntraConfig, entraVerifier, TokenService } from "./auth";
import type { ServerContext } from "./context";
import { FindingReader } from "./data";
import { EngineWorkflow } from "./engine-workflow";
import { errorHandler, NotConfiguredError, UnauthenticatedError } from "./errors";
import { checkWebhookToken } from "./incidents";
import { can } from "./rbac";
import { registerAdminRoutes } from "./routes/admin";
import { registerFindingRoutes } from "./routes/findings";
import { registerInsightRoutes } from "./routes/insights";
import { registerWebhookRoutes } from "./routes/webhooks";
import { registerWorkflowRoutes } from "./routes/workflow";
import { migrateServerTables } from "./tables";
import type { WorkflowPort } from "./workflow-port";

export const WEB_DIST = resolve(dirname(fileURLToPath(import.meta.url)), "../../web/dist");

export interface ServerOptions {
  store: Store;
  entra?: EntraConfig;
  /** Approval workflow; default the src/workflow engine on the store's database (EngineWorkflow). */
  workflow?: WorkflowPort;
  /** Governance config for the engine (roles per scope, rollout phases, blast-radius limit); default the env/file. */
  governance?: GovernanceConfig;
  /** Azure Policy client for deploy/rollback/verify; default one from the environment (CLARION_AZURE_*), made on first use. */
  policy?: PolicyWriteClient | (() => PolicyWriteClient);
  /** Shared secret of the Sentinel webhook (default CLARION_WEBHOOK_TOKEN; unset: the webhook answers 503). */
  webhookToken?: string;
  /** Folder with the built dashboard (default web/dist); the dashboard is skipped when absent. */
  webDist?: string | false;
  logger?: boolean;
  now?: () => Date;
  /** Cache answered finding pages until the data changes (default true). */
  pageCache?: boolean;
  /** SQLite only: answer finding pages on the B5 fast path (default true); false = the portable SQL path. */
  fastPath?: boolean;
}

export interface RouteInfo {
  method: string;
  url: string;
  permission?: string;
  public: boolean;
  /** Authenticated by a webhook's shared secret instead of a user token. */
  webhook?: string;
}

/** A webhook secret must be long enough not to be guessed. */
export const MIN_WEBHOOK_TOKEN = 24;

/**
 * The REST API and dashboard. Every route declares a permission (or `public`), checked in one onRequest hook;
 * typed errors become status codes in one error handler. Tests drive it in-process with `app.inject()`.
 *
 * @example
 * const app = await buildServer({ store: await openStore("clarion-out/clarion.db", { mustExist: true }) });
 * await app.listen({ port: 8080, host: "127.0.0.1" });
 */
export type ClarionServer = FastifyInstance & { clarion: ServerContext; routeTable: RouteInfo[] };

export async function buildServer(opts: ServerOptions): Promise<ClarionServer> {
  await migrateServerTables(opts.store);
  const now = opts.now ?? (() => new Date());
  const webhookToken = (opts.webhookToken ?? process.env.CLARION_WEBHOOK_TOKEN)?.trim() || undefined;
  if (webhookToken && webhookToken.length < MIN_WEBHOOK_TOKEN)
    throw new InputError(`the webhook token must have at least ${MIN_WEBHOOK_TOKEN} characters`, { field: "CLARION_WEBHOOK_TOKEN" });
  const ctx: ServerContext = {
    store: opts.store,
    reader: new FindingReader(opts.store, { cachePages: opts.pageCache ?? true, fastPath: opts.fastPath, now }),
    tokens: new TokenService(opts.store),
    workflow: opts.workflow ?? new EngineWorkflow({ store: opts.store, governance: opts.governance, policy: opts.policy, now: opts.now }),
    entra: opts.entra ? entraVerifier(opts.entra) : undefined,
    webhookToken,
    now,
  };
  const app = Fastify({
    logger: opts.logger ? { level: "info" } : false,
    ajv: { customOptions: { coerceTypes: "array", removeAdditional: false, allErrors: false, allowUnionTypes: true } },
    bodyLimit: 1_048_576,
  });
  const routeTable: RouteInfo[] = [];
  app.addHook("onRoute", (r) => {
    const cfg = (r.config ?? {}) as { permission?: string; public?: boolean; webhook?: string };
    const methods = [r.method].flat().filter((m) => m !== "HEAD");
    const isApi = r.url.startsWith("/api/");
    if (isApi && !cfg.permission && !cfg.public && !cfg.webhook)
      throw new Error(`route ${methods.join(",")} ${r.url} declares no permission`);
    if (cfg.webhook && (cfg.permission || cfg.public)) throw new Error(`webhook route ${r.url} cannot also be public or take a role`);
    if (!isApi && !cfg.public && !cfg.permission) r.config = { ...(r.config ?? {}), public: true } as typeof r.config;
    for (const m of methods)
      routeTable.push({
        method: m,
        url: r.url,
        permission: cfg.permission,
        public: !cfg.permission && !cfg.webhook,
        ...(cfg.webhook ? { webhook: cfg.webhook } : {}),
      });
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: { title: "Clarion API", version: "1", description: "Defender for Cloud findings, explained, prioritized and remediated." },
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer", description: "Clarion API token (clr_...) or Entra ID access token" },
          webhookToken: { type: "http", scheme: "bearer", description: "the webhook's shared secret (CLARION_WEBHOOK_TOKEN)" },
        },
      },
      security: [{ bearer: [] }],
    },
  });

  app.setErrorHandler(errorHandler);
  app.addHook("onRequest", async (req) => {
    const cfg = req.routeOptions.config as { permission?: string; public?: boolean; webhook?: string } | undefined;
    if (!cfg || cfg.public || !req.routeOptions.url) return;
    if (cfg.webhook) {
      if (!ctx.webhookToken)
        throw new NotConfiguredError("the Sentinel webhook is not configured on this server", "set CLARION_WEBHOOK_TOKEN (24+ characters)");
      checkWebhookToken(req.headers.authorization, ctx.webhookToken);
      return;
    }
    const principal = await authenticate(req.headers.authorization, ctx.tokens, ctx.entra);
    req.principal = principal;
    const perm = cfg.permission as Parameters<typeof can>[1];
    if (!can(principal.role, perm))
      throw new NotAllowedError(`role ${principal.role} may not ${perm}`, { hint: `needs a role holding '${perm}'` });
  });
  app.addHook("onSend", async (req, reply, payload) => {
    reply.header("x-content-type-options", "nosniff");
    if (req.url.startsWith("/api/")) reply.header("cache-control", "no-store");
    return payload;
  });

  app.get("/healthz", { config: { public: true }, schema: { tags: ["health"], summary: "Liveness" } }, async () => ({ status: "ok" }));
  app.get(
    "/readyz",
    { config: { public: true }, schema: { tags: ["health"], summary: "Readiness: the store answers and holds a run" } },
    async (_req, reply) => {
      try {
        const [r] = await ctx.store.query<{ n: number }>("SELECT count(*) AS n FROM runs");
        const one = await ctx.store.query<{ id: string }>("SELECT id FROM findings LIMIT 1");
        return { status: "ready", store: ctx.store.kind, runs: Number(r?.n ?? 0), hasFindings: one.length > 0 };
      } catch (e) {
        reply.status(503);
        return { status: "unavailable", reason: (e as Error).message };
      }
    },
  );

  registerFindingRoutes(app, ctx);
  registerInsightRoutes(app, ctx);
  registerWorkflowRoutes(app, ctx);
  registerAdminRoutes(app, ctx);
  registerWebhookRoutes(app, ctx);
  app.addHook("onClose", async () => ctx.workflow.close?.());

  app.get("/openapi.json", { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  const dist = opts.webDist === false ? undefined : (opts.webDist ?? WEB_DIST);
  if (dist && existsSync(join(dist, "index.html"))) {
    await app.register(fastifyStatic, { root: dist, prefix: "/", index: "index.html", wildcard: false });
    // Client-side routes (/findings/F-...) get the app shell; unknown /api paths stay JSON 404s.
    app.setNotFoundHandler((req, reply) => {
      if (req.method === "GET" && !req.url.startsWith("/api/") && !/\.[a-z0-9]+$/i.test(req.url.split("?")[0]))
        return reply.type("text/html").sendFile("index.html");
      reply.status(404).send({ error: { code: "NOT_FOUND", message: `no route ${req.method} ${req.url.split("?")[0]}` } });
    });
  } else {
    app.get("/", { config: { public: true }, schema: { hide: true } }, async (_req, reply) =>
      reply
        .type("text/html")
        .send(
          '<!doctype html><title>Clarion</title><p>The dashboard is not built. Run <code>npx vite build web</code> (or <code>clarion serve --build</code>). The API is at <a href="/openapi.json">/openapi.json</a>.</p>',
        ),
    );
    app.setNotFoundHandler((req, reply) => {
      reply.status(404).send({ error: { code: "NOT_FOUND", message: `no route ${req.method} ${req.url.split("?")[0]}` } });
    });
  }
  await app.ready();
  return Object.assign(app, { clarion: ctx, routeTable }) as unknown as ClarionServer;
}

export { UnauthenticatedError };
