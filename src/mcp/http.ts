import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { NotAllowedError } from "../domain/errors";

export interface McpHttpOptions {
  port: number;
  /** Bind address (default 127.0.0.1). */
  host?: string;
  /** Bearer token clients must send; required when binding beyond loopback or when approvals are allowed. */
  token?: string;
  /** The server allows approval requests (then a token is required). */
  writes?: boolean;
  /** Largest request body in bytes (default 1 MiB). */
  maxBody?: number;
}

export interface McpHttpHandle {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export const MCP_PATH = "/mcp";

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
}

function rpcError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  json(res, status, { jsonrpc: "2.0", error: { code: -32000, message }, id: null }, headers);
}

function tokenOk(req: IncomingMessage, token: string): boolean {
  const got = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1] ?? "";
  const a = Buffer.from(got);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readBody(req: IncomingMessage, max: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > max) throw Object.assign(new Error(`request body over ${max} bytes`), { status: 413 });
    chunks.push(c);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw Object.assign(new Error("request body is not JSON"), { status: 400 });
  }
}

/**
 * Streamable HTTP transport (stateless: one MCP server and transport per POST, JSON responses) on `POST /mcp`.
 * Loopback only unless a token is set; a token is also required when approval requests are allowed. On loopback,
 * the Host header must name the loopback address (DNS-rebinding guard).
 */
export async function startMcpHttp(makeServer: () => McpServer, opts: McpHttpOptions): Promise<McpHttpHandle> {
  const host = opts.host ?? "127.0.0.1";
  const loopback = LOOPBACK.has(host);
  if (!opts.token && !loopback)
    throw new NotAllowedError(`refusing to serve MCP on ${host} without a token`, { hint: "set CLARION_MCP_TOKEN, or bind to 127.0.0.1" });
  if (!opts.token && opts.writes)
    throw new NotAllowedError("refusing to serve MCP with --allow-approvals over HTTP without a token", { hint: "set CLARION_MCP_TOKEN" });
  const maxBody = opts.maxBody ?? 1024 * 1024;

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/healthz" && req.method === "GET") return json(res, 200, { ok: true });
    if (url.pathname !== MCP_PATH) return json(res, 404, { error: "not found" });
    if (loopback) {
      const hostHeader = (req.headers.host ?? "").replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
      if (!LOOPBACK.has(hostHeader)) return rpcError(res, 403, "Host header must name the loopback address");
    }
    if (opts.token && !tokenOk(req, opts.token))
      return rpcError(res, 401, "missing or wrong bearer token", { "www-authenticate": "Bearer" });
    if (req.method !== "POST") return rpcError(res, 405, "stateless server: use POST", { allow: "POST" });
    let body: unknown;
    try {
      body = await readBody(req, maxBody);
    } catch (e) {
      return rpcError(res, (e as { status?: number }).status ?? 400, (e as Error).message);
    }
    const mcp = makeServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => {
      void transport.close();
      void mcp.close();
    });
    try {
      await mcp.connect(transport);
      await transport.handleRequest(req, res, body);
    } catch (e) {
      if (!res.headersSent) rpcError(res, 500, `internal error: ${(e as Error).message}`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const shown = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shown}:${addr.port}${MCP_PATH}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
