import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root (the folder with package.json). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** `../shared` beside the project (read-only real data); may be absent on a fresh clone. */
export const SHARED_DIR = process.env.CLARION_SHARED_DIR ?? resolve(REPO_ROOT, "../shared");
export const REALDATA_DIR = resolve(SHARED_DIR, "realdata");

export function hasShared(): boolean {
  return existsSync(REALDATA_DIR);
}

/** Path inside ../shared/realdata. */
export function realdata(...parts: string[]): string {
  return resolve(REALDATA_DIR, ...parts);
}

/**
 * For tests that need ../shared: returns true when present; otherwise prints a visible skip message.
 * Use as `describe.skipIf(!needShared("what"))(...)`.
 */
export function needShared(what: string): boolean {
  if (hasShared()) return true;
  console.warn(`SKIP (${what}): ../shared/realdata is absent; this test reads real data in place.`);
  return false;
}
