import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqliteStore } from "../store/sqlite-store";
import { buildServer, type ClarionServer } from "./app";
import { roleFromClaims } from "./auth";

type CryptoKey = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];

/** Entra ID access tokens validated against a local JWKS endpoint (issuer, audience, signature, expiry, roles). */
describe("Entra ID JWT validation", () => {
  const ISSUER = "https://login.microsoftonline.com/00000000-0000-4000-8000-000000000000/v2.0";
  const AUDIENCE = "api://clarion-test";
  let jwks: Server;
  let app: ClarionServer;
  let store: SqliteStore;
  let key: CryptoKey;
  let otherKey: CryptoKey;
  let jwksHits = 0;

  beforeAll(async () => {
    const pair = await generateKeyPair("RS256");
    key = pair.privateKey;
    otherKey = (await generateKeyPair("RS256")).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    jwks = createServer((_req, res) => {
      jwksHits++;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => jwks.listen(0, "127.0.0.1", r));
    const port = (jwks.address() as AddressInfo).port;
    store = new SqliteStore(":memory:");
    await store.migrate();
    app = await buildServer({
      store,
      webDist: false,
      entra: { issuer: ISSUER, audience: AUDIENCE, jwksUri: `http://127.0.0.1:${port}/keys` },
    });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await new Promise((r) => jwks?.close(r));
  });

  const sign = (
    claims: Record<string, unknown>,
    opts: { iss?: string; aud?: string; exp?: string | number; k?: CryptoKey; kid?: string } = {},
  ) =>
    new SignJWT({ preferred_username: "ana@contoso.example", oid: "oid-1", ...claims })
      .setProtectedHeader({ alg: "RS256", kid: opts.kid ?? "k1" })
      .setIssuer(opts.iss ?? ISSUER)
      .setAudience(opts.aud ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(opts.exp ?? "10m")
      .sign(opts.k ?? key);
  const me = (jwt: string) => app.inject({ url: "/api/v1/me", headers: { authorization: `Bearer ${jwt}` } });

  it("accepts a valid token and maps the highest Clarion app role", async () => {
    const r = await me(await sign({ roles: ["Clarion.Analyst", "Clarion.Approver", "Other.Role"] }));
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ role: "approver", name: "ana@contoso.example", via: "entra" });
    expect(jwksHits).toBeGreaterThan(0);
  });

  it("enforces RBAC on Entra principals too", async () => {
    const viewer = await sign({ roles: ["Clarion.Viewer"] });
    const r = await app.inject({ url: "/api/v1/audit", headers: { authorization: `Bearer ${viewer}` } });
    expect(r.statusCode).toBe(403);
  });

  it.each([
    ["wrong audience", { aud: "api://someone-else" }],
    ["wrong issuer", { iss: "https://sts.windows.net/evil/" }],
    ["expired", { exp: Math.floor(Date.now() / 1000) - 3600 }],
    ["signed by another key", { k: undefined as unknown as CryptoKey, other: true }],
    ["unknown key id", { kid: "k2" }],
  ])("rejects a token with %s (401)", async (_name, o) => {
    const opts = { ...o } as { iss?: string; aud?: string; exp?: number; k?: CryptoKey; kid?: string; other?: boolean };
    if (opts.other) opts.k = otherKey;
    const r = await me(await sign({ roles: ["Clarion.Admin"] }, opts));
    expect(r.statusCode).toBe(401);
    expect(r.json().error.code).toBe("UNAUTHENTICATED");
  });

  it("rejects a valid token that carries no Clarion role, and garbage", async () => {
    expect((await me(await sign({ roles: ["Something.Else"] }))).statusCode).toBe(401);
    expect((await me("not.a.jwt")).statusCode).toBe(401);
  });

  it("maps role claims", () => {
    expect(roleFromClaims({ roles: ["admin"] })).toBe("admin");
    expect(roleFromClaims({ roles: ["Clarion.Deployer", "Clarion.Viewer"] })).toBe("deployer");
    expect(roleFromClaims({ roles: ["SecOps"] }, { SecOps: "analyst" })).toBe("analyst");
    expect(roleFromClaims({})).toBeNull();
  });
});
