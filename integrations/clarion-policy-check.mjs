#!/usr/bin/env node
// Launcher for policy-ci.ts from any working directory: registers Clarion's own TypeScript loader (tsx), then runs it.
import { register } from "tsx/esm/api";

register();
const { main } = await import("./policy-ci.ts");
try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`clarion policy check failed: ${e?.message ?? e}\n`);
  process.exitCode = 1;
}
