import type { FastifyRequest } from "fastify";
import type { Store } from "../store/store";
import type { EntraVerifier, TokenService } from "./auth";
import type { FindingReader } from "./data";
import type { Permission, Principal } from "./rbac";
import type { WorkflowPort } from "./workflow-port";

/** Everything a route handler needs; built once by buildServer. */
export interface ServerContext {
  store: Store;
  reader: FindingReader;
  tokens: TokenService;
  workflow: WorkflowPort;
  entra?: EntraVerifier;
  /** Bearer secret the Sentinel playbook presents on /api/v1/webhooks/sentinel (unset: the webhook answers 503). */
  webhookToken?: string;
  /** Clock for expiry checks and what-if (tests pin it). */
  now: () => Date;
}

declare module "fastify" {
  interface FastifyContextConfig {
    /** The permission a route needs (see rbac.ts); every non-public route must declare one. */
    permission?: Permission;
    /** Reachable without credentials (health, OpenAPI, dashboard assets). */
    public?: boolean;
    /** Called by an external system with its own shared secret instead of a user's token (no role applies). */
    webhook?: "sentinel";
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new Error("route reached without a principal");
  return req.principal;
}

/** Shared JSON-schema fragments for the OpenAPI document. */
export const S = {
  str: { type: "string" },
  int: { type: "integer" },
  num: { type: "number" },
  bool: { type: "boolean" },
  obj: { type: "object", additionalProperties: true },
  arr: (items: object) => ({ type: "array", items }),
  idParam: { type: "object", required: ["id"], properties: { id: { type: "string", maxLength: 200 } } },
  error: {
    type: "object",
    properties: {
      error: { type: "object", properties: { code: { type: "string" }, message: { type: "string" }, hint: { type: "string" } } },
    },
  },
} as const;
