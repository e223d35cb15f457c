import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { InputError } from "../domain/errors";
import { AUDIT_STREAM } from "./audit-row";
import { blobSink } from "./blob";
import type { RetryPolicy } from "./outbox";
import { sentinelIncidentSink } from "./sentinel-incident";
import { jiraSink, type Sink, sentinelSink, serviceNowSink, slackSink, teamsSink, webhookSink } from "./sinks";

/**
 * Delivery configuration (JSON, default `./clarion.delivery.json` or `CLARION_DELIVERY_CONFIG`). Secrets are
 * never in the file: each `*Env` field names the environment variable that holds the secret.
 *
 * @example
 * { "sinks": {
 *     "servicenow": { "type": "servicenow", "instanceUrl": "https://acme.service-now.com", "user": "clarion", "passwordEnv": "SNOW_PASSWORD", "table": "change_request" },
 *     "teams": { "type": "teams", "urlEnv": "TEAMS_WEBHOOK_URL" },
 *     "soc": { "type": "sentinel-incident", "subscriptionId": "0b1f6471-1bf0-4dda-aec3-111122223333", "resourceGroup": "rg-soc", "workspaceName": "law-soc" } },
 *   "tickets": ["servicenow"], "notices": ["teams"], "sentinel": "sentinel", "incidents": ["soc"], "minRisk": 60 }
 */
const base = { caFile: z.string().optional() };
const SinkSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("servicenow"),
    instanceUrl: z.string().url(),
    user: z.string(),
    passwordEnv: z.string(),
    table: z.enum(["change_request", "incident"]).default("change_request"),
    assignmentGroup: z.string().optional(),
    ...base,
  }),
  z.object({
    type: z.literal("jira"),
    siteUrl: z.string().url(),
    email: z.string(),
    apiTokenEnv: z.string(),
    project: z.string(),
    issueType: z.string().optional(),
    ...base,
  }),
  z.object({ type: z.literal("teams"), urlEnv: z.string(), ...base }),
  z.object({ type: z.literal("slack"), urlEnv: z.string(), ...base }),
  z.object({ type: z.literal("webhook"), url: z.string().url(), secretEnv: z.string(), ...base }),
  z.object({
    type: z.literal("sentinel"),
    endpoint: z.string().url(),
    dcrImmutableId: z.string().regex(/^dcr-[0-9a-f]{32}$/),
    streamName: z.string().optional(),
    tokenEnv: z.string().optional(),
    ...base,
  }),
  z.object({ type: z.literal("blob"), connectionStringEnv: z.string(), container: z.string().optional() }),
  z.object({
    type: z.literal("sentinel-incident"),
    subscriptionId: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, "subscriptionId must be a GUID"),
    resourceGroup: z.string().min(1),
    workspaceName: z.string().min(1),
    /** ARM endpoint (default: the cloud's; CLARION_AZURE_ENDPOINT overrides, e.g. for the simulator). */
    armEndpoint: z.string().url().optional(),
    cloud: z.enum(["public", "usgov", "china"]).optional(),
    /** Static ARM bearer token (simulator); without it DefaultAzureCredential, as the Azure source. */
    tokenEnv: z.string().optional(),
    ...base,
  }),
]);

export const DeliveryConfigSchema = z.object({
  sinks: z.record(z.string(), SinkSchema).default({}),
  /** Sinks that get one ticket per finding. */
  tickets: z.array(z.string()).default([]),
  /** Sinks that get one chat notice per finding. */
  notices: z.array(z.string()).default([]),
  /** Sink that receives the Sentinel rows. */
  sentinel: z.string().optional(),
  /** `sentinel-incident` sinks for change-anomaly incidents (default: every sink of that type). */
  incidents: z.array(z.string()).optional(),
  /** Only findings at or above this risk score get tickets and notices. */
  minRisk: z.number().min(0).max(100).default(0),
  retry: z
    .object({
      maxAttempts: z.number().int().min(1).default(6),
      baseDelayMs: z.number().int().min(0).default(2000),
      maxDelayMs: z.number().int().min(0).default(900_000),
    })
    .default({ maxAttempts: 6, baseDelayMs: 2000, maxDelayMs: 900_000 }),
});
export type DeliveryConfig = z.infer<typeof DeliveryConfigSchema>;

export function loadDeliveryConfig(file?: string): DeliveryConfig {
  const path = file ?? process.env.CLARION_DELIVERY_CONFIG ?? "./clarion.delivery.json";
  if (!existsSync(path)) {
    if (file) throw new InputError("delivery config not found", { file });
    return DeliveryConfigSchema.parse({});
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new InputError(`not valid JSON: ${(e as Error).message}`, { file: path });
  }
  const r = DeliveryConfigSchema.safeParse(json);
  if (!r.success) throw new InputError(r.error.issues[0].message, { file: path, field: r.error.issues[0].path.join(".") });
  for (const n of [...r.data.tickets, ...r.data.notices, ...(r.data.sentinel ? [r.data.sentinel] : [])])
    if (!r.data.sinks[n]) throw new InputError(`unknown sink '${n}'`, { file: path, field: "sinks" });
  const rows = r.data.sentinel ? r.data.sinks[r.data.sentinel] : undefined;
  if (rows?.type === "sentinel" && rows.streamName === AUDIT_STREAM)
    throw new InputError(
      `sink '${r.data.sentinel}' streams to ${AUDIT_STREAM} (the audit table); findings rows need a sink for the AI_CSPMRecommendations_CL stream`,
      { file: path, field: "sentinel" },
    );
  for (const n of r.data.incidents ?? []) {
    if (!r.data.sinks[n]) throw new InputError(`unknown sink '${n}'`, { file: path, field: "incidents" });
    if (r.data.sinks[n].type !== "sentinel-incident")
      throw new InputError(`sink '${n}' is a ${r.data.sinks[n].type} sink, not sentinel-incident`, { file: path, field: "incidents" });
  }
  return r.data;
}

/** The sinks that receive change-anomaly incidents: `incidents`, else every `sentinel-incident` sink. */
export function incidentSinks(cfg: DeliveryConfig): string[] {
  return (
    cfg.incidents ??
    Object.entries(cfg.sinks)
      .filter(([, s]) => s.type === "sentinel-incident")
      .map(([n]) => n)
  );
}

function secret(env: NodeJS.ProcessEnv, name: string, sink: string): string {
  const v = env[name];
  if (!v) throw new InputError(`environment variable ${name} (secret of sink '${sink}') is not set`, { field: name });
  return v;
}

/** Builds the configured sinks (only those named in `only`, when given). */
export function buildSinks(cfg: DeliveryConfig, env: NodeJS.ProcessEnv = process.env, only?: string[]): Sink[] {
  const out: Sink[] = [];
  for (const [name, s] of Object.entries(cfg.sinks)) {
    if (only && !only.includes(name)) continue;
    const ca = "caFile" in s && s.caFile ? readFileSync(s.caFile, "utf8") : undefined;
    switch (s.type) {
      case "servicenow":
        out.push(
          serviceNowSink({
            name,
            ca,
            instanceUrl: s.instanceUrl,
            user: s.user,
            password: secret(env, s.passwordEnv, name),
            table: s.table,
            assignmentGroup: s.assignmentGroup,
          }),
        );
        break;
      case "jira":
        out.push(
          jiraSink({
            name,
            ca,
            siteUrl: s.siteUrl,
            email: s.email,
            apiToken: secret(env, s.apiTokenEnv, name),
            project: s.project,
            issueType: s.issueType,
          }),
        );
        break;
      case "teams":
        out.push(teamsSink({ name, ca, url: secret(env, s.urlEnv, name) }));
        break;
      case "slack":
        out.push(slackSink({ name, ca, url: secret(env, s.urlEnv, name) }));
        break;
      case "webhook":
        out.push(webhookSink({ name, ca, url: s.url, secret: secret(env, s.secretEnv, name) }));
        break;
      case "sentinel":
        out.push(
          sentinelSink({
            name,
            ca,
            endpoint: s.endpoint,
            dcrImmutableId: s.dcrImmutableId,
            streamName: s.streamName,
            token: s.tokenEnv ? secret(env, s.tokenEnv, name) : undefined,
          }),
        );
        break;
      case "sentinel-incident":
        out.push(
          sentinelIncidentSink({
            name,
            ca,
            subscriptionId: s.subscriptionId,
            resourceGroup: s.resourceGroup,
            workspaceName: s.workspaceName,
            armEndpoint: s.armEndpoint,
            cloud: s.cloud,
            token: s.tokenEnv ? secret(env, s.tokenEnv, name) : undefined,
          }),
        );
        break;
      case "blob":
        out.push(blobSink({ name, connectionString: secret(env, s.connectionStringEnv, name), container: s.container }));
        break;
    }
  }
  return out;
}

export function retryPolicy(cfg: DeliveryConfig): RetryPolicy {
  return cfg.retry;
}
