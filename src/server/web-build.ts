import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { NotFoundError } from "../domain/errors";

export const WEB_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../web");

/** True when the dashboard bundle exists. */
export function dashboardBuilt(dist = join(WEB_ROOT, "dist")): boolean {
  return existsSync(join(dist, "index.html"));
}

/** Builds the dashboard with Vite (a dev dependency) when the bundle is missing or `force` is set. */
export async function ensureDashboard(opts: { force?: boolean; quiet?: boolean } = {}): Promise<string> {
  const dist = join(WEB_ROOT, "dist");
  if (!opts.force && dashboardBuilt(dist)) return dist;
  const vite = (await import("vite").catch(() => undefined)) as typeof import("vite") | undefined;
  if (!vite)
    throw new NotFoundError("the dashboard is not built and Vite is not installed", {
      hint: "install dev dependencies, then `npx vite build web`",
    });
  await vite.build({ root: WEB_ROOT, configFile: join(WEB_ROOT, "vite.config.ts"), logLevel: opts.quiet ? "error" : "info" });
  return dist;
}
