import { InputError } from "../domain/errors";

/**
 * Roles, least to most privileged. `deployer` applies approved changes; it does not approve them. The grants
 * below mirror the workflow engine's role x transition matrix (src/workflow/model.ts), so a route a role may
 * call is one whose transition that role may take; the engine still checks scope, four-eyes and rollout.
 */
export const ROLES = ["viewer", "analyst", "approver", "deployer", "admin"] as const;
export type Role = (typeof ROLES)[number];

/**
 * What a route needs. Every API route declares exactly one permission (enforced at registration), and this
 * table is the single place that says which role holds it.
 */
export const PERMISSIONS = [
  "read", // findings, compliance, paths, changes, approvals queue, exemptions, runs
  "audit:read", // the audit log and chain verification
  "feedback:write", // rate an explanation
  "approval:request", // ask for a fix to be approved, answer an information request
  "approval:decide", // approve, reject, ask for more information
  "exemption:write", // grant or revoke an exemption
  "deploy", // schedule, deploy and roll back an approved change (Azure Policy)
  "deploy:verify", // check a deployed change is live as recorded
  "tokens:admin", // create, list and revoke API tokens
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const GRANTS: Record<Role, readonly Permission[]> = {
  viewer: ["read"],
  analyst: ["read", "audit:read", "feedback:write", "approval:request"],
  approver: ["read", "audit:read", "feedback:write", "approval:decide", "exemption:write", "deploy:verify"],
  deployer: ["read", "audit:read", "feedback:write", "deploy", "deploy:verify"],
  admin: [...PERMISSIONS],
};

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

export function permissionsOf(role: Role): Permission[] {
  return [...GRANTS[role]];
}

export function isRole(x: unknown): x is Role {
  return typeof x === "string" && (ROLES as readonly string[]).includes(x);
}

export function parseRole(x: string, field = "role"): Role {
  const r = x.trim().toLowerCase();
  if (!isRole(r)) throw new InputError(`unknown role '${x}' (use ${ROLES.join(", ")})`, { field });
  return r;
}

/** Who is calling: from an API token or an Entra ID access token. */
export interface Principal {
  id: string;
  name: string;
  role: Role;
  /** Subscription the principal is limited to (API token scope), or undefined for the whole estate. */
  scope?: string;
  via: "token" | "entra";
}
