import type { Command } from "commander";
import { InputError } from "../../domain/errors";
import { DEFAULT_DB, openStore } from "../../store/open-store";

interface McpOpts {
  db: string;
  http?: string;
  host: string;
  allowApprovals?: boolean;
  actor?: string;
  governance?: string;
}

/** `clarion mcp`: the Model Context Protocol server (stdio by default, streamable HTTP with --http PORT). */
export function register(program: Command): void {
  program
    .command("mcp")
    .description("Model Context Protocol server for AI agents (stdio, or streamable HTTP with --http); read-only unless --allow-approvals")
    .option("--db <file>", "Clarion database", DEFAULT_DB)
    .option("--http <port>", "serve streamable HTTP on this port (POST /mcp) instead of stdio")
    .option("--host <address>", "bind address for --http (beyond loopback needs CLARION_MCP_TOKEN)", "127.0.0.1")
    .option("--allow-approvals", "add the request_approval tool (files requests in the approval workflow; never deploys)")
    .option("--actor <name>", "identity recorded on approval requests (default CLARION_ACTOR or 'mcp')")
    .option(
      "--governance <file>",
      "governance config for approval requests (default CLARION_GOVERNANCE_CONFIG or ./clarion.governance.json)",
    )
    .action(async (o: McpOpts) => {
      const { createMcpServer } = await import("../../mcp/server");
      const store = await openStore(o.db, { mustExist: true });
      const opts = {
        store,
        actor: o.actor ?? process.env.CLARION_ACTOR ?? "mcp",
        governanceFile: o.governance,
        allowApprovals: !!o.allowApprovals,
      };
      if (o.http !== undefined) {
        const port = Number(o.http);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new InputError(`--http must be a port number, got '${o.http}'`, { field: "--http" });
        const { startMcpHttp } = await import("../../mcp/http");
        const handle = await startMcpHttp(() => createMcpServer(opts), {
          port,
          host: o.host,
          token: process.env.CLARION_MCP_TOKEN || undefined,
          writes: opts.allowApprovals,
        });
        process.stderr.write(
          `clarion mcp: streamable HTTP on ${handle.url}${opts.allowApprovals ? " (approval requests allowed)" : " (read-only)"}\n`,
        );
        await waitForSignal();
        await handle.close();
        await store.close();
        return;
      }
      const { StdioServerTransport } = await import("@modelcontextprotocol/sdk/server/stdio.js");
      const server = createMcpServer(opts);
      const transport = new StdioServerTransport();
      const closed = new Promise<void>((resolve) => {
        transport.onclose = () => resolve();
        process.stdin.on("end", () => resolve());
      });
      await server.connect(transport);
      process.stderr.write(`clarion mcp: stdio${opts.allowApprovals ? " (approval requests allowed)" : " (read-only)"}\n`);
      await Promise.race([closed, waitForSignal()]);
      await server.close();
      await store.close();
    });
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
}
