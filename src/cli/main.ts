import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Command } from "commander";
import pc from "./colors";
import { exitCodeFor, isClarionError } from "../domain/errors";

/**
 * The `clarion` CLI. Each file in ./commands exports `register(program)`, so a capability adds its
 * commands by adding one file — no central list to edit.
 */
export async function buildProgram(): Promise<Command> {
  const program = new Command("clarion")
    .description("Explain, route, prioritize and remediate Microsoft Defender for Cloud findings.")
    .version(packageVersion(), "-v, --version")
    .showHelpAfterError()
    .exitOverride();
  const dir = join(dirname(fileURLToPath(import.meta.url)), "commands");
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
    .sort();
  for (const f of files) {
    // One broken command module must not take the whole CLI down: warn and go on.
    try {
      const mod = (await import(pathToFileURL(join(dir, f)).href)) as { register?: (p: Command) => void };
      mod.register?.(program);
    } catch (e) {
      process.stderr.write(`${pc.yellow("warning")} commands in ${f} are unavailable: ${(e as Error).message}\n`);
    }
  }
  return program;
}

function packageVersion(): string {
  try {
    return JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), "../../package.json"), "utf8")).version;
  } catch {
    return "0.0.0";
  }
}

export async function main(argv: string[]): Promise<void> {
  const program = await buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    const err = e as { code?: string; exitCode?: number };
    if (typeof err.code === "string" && err.code.startsWith("commander.")) {
      process.exitCode = err.exitCode ?? 1;
      return;
    }
    reportError(e);
    process.exitCode = exitCodeFor(e);
  }
}

export function reportError(e: unknown): void {
  if (isClarionError(e)) {
    process.stderr.write(`${pc.red("error")} [${e.code}] ${e.message}\n`);
    if (e.hint) process.stderr.write(`${pc.dim("hint:")} ${e.hint}\n`);
  } else {
    process.stderr.write(`${pc.red("error")} ${(e as Error)?.stack ?? String(e)}\n`);
  }
}
