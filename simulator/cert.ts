import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NotFoundError } from "../src/domain/errors";

export interface SelfSignedCert {
  key: string;
  cert: string;
  /** The certificate on disk, for `NODE_EXTRA_CA_CERTS` in child processes. */
  certPath: string;
}

/**
 * Makes a fresh self-signed certificate for `localhost` / `127.0.0.1` (P-256, valid one day) with the
 * Debian `openssl` binary. The private key never leaves the temporary folder and the process.
 */
export function makeSelfSignedCert(): SelfSignedCert {
  const dir = mkdtempSync(join(tmpdir(), "clarion-sim-"));
  const keyPath = join(dir, "key.pem");
  const certPath = join(dir, "cert.pem");
  try {
    execFileSync(
      "openssl",
      [
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", keyPath, "-out", certPath, "-days", "1", "-subj", "/CN=localhost",
        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        "-addext", "basicConstraints=critical,CA:TRUE",
      ],
      { stdio: "pipe" },
    );
  } catch (e) {
    throw new NotFoundError("cannot create the simulator's TLS certificate: `openssl` failed or is missing", {
      cause: e,
      hint: "install openssl (apt-get install openssl)",
    });
  }
  return { key: readFileSync(keyPath, "utf8"), cert: readFileSync(certPath, "utf8"), certPath };
}
