import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The well-known Azurite development account (public, documented; not a secret). */
export const AZURITE_ACCOUNT = "devstoreaccount1";
export const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface Azurite {
  url: string;
  connectionString: string;
  stop(): Promise<void>;
}

/** Starts Azurite's blob service as a child process on an ephemeral port with a temporary folder (tests). */
export async function startAzurite(): Promise<Azurite> {
  const dir = mkdtempSync(join(tmpdir(), "clarion-azurite-"));
  const main = createRequire(import.meta.url).resolve("azurite/dist/src/blob/main.js");
  const child: ChildProcess = spawn(process.execPath, [main, "--blobHost", "127.0.0.1", "--blobPort", "0", "--location", dir, "--skipApiVersionCheck", "--loose", "--disableTelemetry", "--silent"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`azurite did not start: ${out}`)), 20_000);
    const onData = (d: Buffer) => {
      out += d;
      const m = /listens on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => reject(new Error(`azurite exited (${code}): ${out}`)));
  });
  return {
    url,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${url}/${AZURITE_ACCOUNT};`,
    async stop() {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
