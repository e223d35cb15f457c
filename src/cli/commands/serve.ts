import type { Command } from "commander";
import pc from "../colors";
import { InputError } from "../../domain/errors";
import { buildServer } from "../../server/app";
import { type EntraConfig, entraConfigFromEnv } from "../../server/auth";
import { dashboardBuilt, ensureDashboard } from "../../server/web-build";
import { DEFAULT_DB, openStore } from "../../store/open-store";

export function register(program: Command): void {
  program
    .command("serve")
    .description("Serve the REST API (/api/v1, OpenAPI at /openapi.json) and the dashboard (/)")
    .option("--db <file|url>", "store: an SQLite file or a postgres:// URL", DEFAULT_DB)
    .option("--port <n>", "port", "8080")
    .option("--host <addr>", "address to listen on", "127.0.0.1")
    .option("--build", "(re)build the dashboard with Vite before serving")
    .option("--no-dashboard", "serve the API only")
    .option("--entra-issuer <url>", "Entra ID issuer (or CLARION_ENTRA_ISSUER)")
    .option("--entra-audience <aud>", "Entra ID audience (or CLARION_ENTRA_AUDIENCE)")
    .option("--entra-jwks-uri <url>", "Entra ID JWKS URL (or CLARION_ENTRA_JWKS_URI)")
    .option("--log", "log requests")
    .action(
      async (o: {
        db: string;
        port: string;
        host: string;
        build?: boolean;
        dashboard: boolean;
        entraIssuer?: string;
        entraAudience?: string;
        entraJwksUri?: string;
        log?: boolean;
      }) => {
        const port = Number(o.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new InputError(`--port must be 0-65535, got '${o.port}'`, { field: "--port" });
        let entra: EntraConfig | undefined = entraConfigFromEnv();
        if (o.entraIssuer || o.entraAudience || o.entraJwksUri) {
          if (!o.entraIssuer || !o.entraAudience || !o.entraJwksUri)
            throw new InputError("--entra-issuer, --entra-audience and --entra-jwks-uri go together", { field: "--entra-*" });
          entra = { issuer: o.entraIssuer, audience: o.entraAudience, jwksUri: o.entraJwksUri };
        }
        let webDist: string | false = false;
        if (o.dashboard) {
          if (o.build || !dashboardBuilt()) {
            process.stderr.write(`${pc.dim("building the dashboard (vite)…")}\n`);
            webDist = await ensureDashboard({ force: o.build, quiet: true });
          } else webDist = await ensureDashboard();
        }
        const store = await openStore(o.db, { mustExist: true });
        const app = await buildServer({ store, entra, webDist, logger: !!o.log });
        if ((await app.clarion.tokens.count()) === 0) {
          const { token } = await app.clarion.tokens.create({ name: "bootstrap admin", role: "admin", createdBy: "clarion serve" });
          process.stderr.write(
            `${pc.yellow("No API tokens exist yet; created an admin token (shown once):")}\n  ${token}\n${pc.dim("Create more with `clarion tokens create --name NAME --role viewer|analyst|approver|deployer|admin`.")}\n`,
          );
        }
        const address = await app.listen({ port, host: o.host });
        const shown = /^postgres(ql)?:\/\//i.test(o.db) ? o.db.replace(/\/\/[^@/]*@/, "//***@") : o.db;
        process.stderr.write(`Clarion serving ${shown} (${store.kind}) at ${pc.bold(address)}  (API ${address}/api/v1, OpenAPI ${address}/openapi.json)\n`);
        const stop = async () => {
          await app.close();
          await store.close();
          process.exit(0);
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      },
    );
}
