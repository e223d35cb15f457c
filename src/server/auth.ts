import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from "jose";
import { InputError, NotFoundError } from "../domain/errors";
import type { Store } from "../store/store";
import { UnauthenticatedError } from "./errors";
import { migrateServerTables } from "./tables";
import { isRole, type Principal, parseRole, type Role } from "./rbac";

/** API tokens look like `clr_<43 base64url chars>`; only their SHA-256 is stored. */
export const TOKEN_PREFIX = "clr_";

export interface TokenInfo {
  id: string;
  name: string;
  role: Role;
  scope: string | null;
  createdAt: string;
  createdBy: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/**
 * API tokens, hashed at rest, in the `server_tokens` table (portable SQL: SQLite or PostgreSQL). Tokens are
 * 256-bit random values, so a plain SHA-256 is enough (no password stretching needed) and lets a lookup be one
 * indexed equality. Verified tokens are cached for a few seconds.
 */
export class TokenService {
  private cache = new Map<string, { principal: Principal | null; until: number }>();
  constructor(
    private store: Store,
    private cacheMs = 5_000,
  ) {}

  private ready(): Promise<void> {
    return migrateServerTables(this.store);
  }

  async create(opts: { name: string; role: string; scope?: string; createdBy?: string }): Promise<{ token: string; info: TokenInfo }> {
    const name = opts.name?.trim();
    if (!name) throw new InputError("a token needs a name", { field: "name" });
    if (name.length > 100) throw new InputError("token name is longer than 100 characters", { field: "name" });
    const role = parseRole(opts.role);
    const scope = opts.scope?.trim() ? opts.scope.trim().toLowerCase() : null;
    if (scope && !/^[0-9a-f-]{36}$/.test(scope))
      throw new InputError(`scope must be a subscription id (GUID), got '${opts.scope}'`, { field: "scope" });
    const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
    const info: TokenInfo = {
      id: `tok-${randomUUID().slice(0, 8)}`,
      name,
      role,
      scope,
      createdAt: new Date().toISOString(),
      createdBy: opts.createdBy ?? "cli",
      lastUsedAt: null,
      revokedAt: null,
    };
    await this.ready();
    await this.store.exec("INSERT INTO server_tokens (id, name, role, scope, hash, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)", [
      info.id,
      info.name,
      info.role,
      info.scope,
      sha256(token),
      info.createdAt,
      info.createdBy,
    ]);
    return { token, info };
  }

  async list(): Promise<TokenInfo[]> {
    await this.ready();
    return (await this.store.query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM server_tokens ORDER BY created_at, id`)).map(rowToInfo);
  }

  async revoke(id: string): Promise<TokenInfo> {
    await this.ready();
    const res = await this.store.exec("UPDATE server_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [
      new Date().toISOString(),
      id,
    ]);
    if (!res.changes) throw new NotFoundError(`no active token ${id}`);
    this.cache.clear();
    const [row] = await this.store.query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM server_tokens WHERE id = ?`, [id]);
    return rowToInfo(row);
  }

  async count(): Promise<number> {
    await this.ready();
    const [r] = await this.store.query<{ n: number }>("SELECT count(*) AS n FROM server_tokens WHERE revoked_at IS NULL");
    return Number(r?.n ?? 0);
  }

  /** The principal for a presented token, or null. */
  async verify(token: string): Promise<Principal | null> {
    const now = Date.now();
    const hit = this.cache.get(token);
    if (hit && hit.until > now) return hit.principal;
    await this.ready();
    const [row] = await this.store.query<TokenRow>(`SELECT ${TOKEN_COLUMNS} FROM server_tokens WHERE hash = ? AND revoked_at IS NULL`, [
      sha256(token),
    ]);
    const principal: Principal | null = row
      ? { id: row.id, name: row.name, role: row.role as Role, scope: row.scope ?? undefined, via: "token" }
      : null;
    if (row) await this.store.exec("UPDATE server_tokens SET last_used_at = ? WHERE id = ?", [new Date(now).toISOString(), row.id]);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(token, { principal, until: now + this.cacheMs });
    return principal;
  }
}

const TOKEN_COLUMNS = "id, name, role, scope, created_at, created_by, last_used_at, revoked_at";
interface TokenRow {
  id: string;
  name: string;
  role: string;
  scope: string | null;
  created_at: string;
  created_by: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

function rowToInfo(r: TokenRow): TokenInfo {
  return {
    id: r.id,
    name: r.name,
    role: r.role as Role,
    scope: r.scope,
    createdAt: r.created_at,
    createdBy: r.created_by,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
}

/** Entra ID (Azure AD) access-token validation settings. */
export interface EntraConfig {
  /** e.g. https://login.microsoftonline.com/{tenant}/v2.0 */
  issuer: string;
  /** the API's application id URI or client id */
  audience: string;
  /** e.g. https://login.microsoftonline.com/{tenant}/discovery/v2.0/keys */
  jwksUri: string;
  /** App role value -> Clarion role; default maps `Clarion.Viewer`...`Clarion.Admin` and bare role names. */
  roleMap?: Record<string, Role>;
}

export function entraConfigFromEnv(env: NodeJS.ProcessEnv = process.env): EntraConfig | undefined {
  const { CLARION_ENTRA_ISSUER: issuer, CLARION_ENTRA_AUDIENCE: audience, CLARION_ENTRA_JWKS_URI: jwksUri } = env;
  if (!issuer && !audience && !jwksUri) return undefined;
  if (!issuer || !audience || !jwksUri)
    throw new InputError("Entra ID needs CLARION_ENTRA_ISSUER, CLARION_ENTRA_AUDIENCE and CLARION_ENTRA_JWKS_URI together", {
      field: "CLARION_ENTRA_*",
    });
  return { issuer, audience, jwksUri };
}

/** Highest Clarion role named by the token's `roles` claim (app roles), or null when none maps. */
export function roleFromClaims(payload: JWTPayload, roleMap?: Record<string, Role>): Role | null {
  const claimed = Array.isArray(payload.roles) ? (payload.roles as unknown[]).filter((r): r is string => typeof r === "string") : [];
  const order: Role[] = ["viewer", "analyst", "approver", "deployer", "admin"];
  let best = -1;
  for (const c of claimed) {
    const mapped =
      roleMap?.[c] ??
      (isRole(c.toLowerCase())
        ? c.toLowerCase()
        : isRole(c.replace(/^clarion\./i, "").toLowerCase())
          ? c.replace(/^clarion\./i, "").toLowerCase()
          : undefined);
    if (mapped && isRole(mapped)) best = Math.max(best, order.indexOf(mapped));
  }
  return best >= 0 ? order[best] : null;
}

export type EntraVerifier = (jwt: string) => Promise<Principal>;

/** Validates signature (JWKS, RS256/ES256), issuer, audience, expiry and not-before; maps app roles. */
export function entraVerifier(cfg: EntraConfig): EntraVerifier {
  const jwks = createRemoteJWKSet(new URL(cfg.jwksUri), { timeoutDuration: 5_000, cooldownDuration: 30_000 });
  return async (jwt) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(jwt, jwks, {
        issuer: cfg.issuer,
        audience: cfg.audience,
        algorithms: ["RS256", "ES256", "PS256"],
        clockTolerance: 60,
      }));
    } catch (e) {
      throw new UnauthenticatedError(`Entra ID token rejected: ${(e as Error).message}`, { cause: e });
    }
    const role = roleFromClaims(payload, cfg.roleMap);
    if (!role)
      throw new UnauthenticatedError("Entra ID token carries no Clarion app role", {
        hint: "assign the user one of the Clarion.* app roles",
      });
    const name = (payload.preferred_username ?? payload.upn ?? payload.name ?? payload.oid ?? payload.sub) as string | undefined;
    return { id: String(payload.oid ?? payload.sub ?? name), name: String(name ?? "entra user"), role, via: "entra" };
  };
}

/** Resolves the `Authorization: Bearer ...` header to a principal or throws UnauthenticatedError. */
export async function authenticate(header: string | undefined, tokens: TokenService, entra?: EntraVerifier): Promise<Principal> {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  if (!m)
    throw new UnauthenticatedError("missing bearer token", {
      hint: "send Authorization: Bearer <token> (create one with `clarion tokens create`)",
    });
  const cred = m[1];
  if (cred.startsWith(TOKEN_PREFIX)) {
    const p = await tokens.verify(cred);
    if (!p) throw new UnauthenticatedError("unknown or revoked API token");
    return p;
  }
  if (!entra) throw new UnauthenticatedError("not a Clarion API token, and Entra ID sign-in is not configured");
  return entra(cred);
}
