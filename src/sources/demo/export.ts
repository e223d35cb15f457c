import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { type DemoOptions, streamDemoUnits } from "./index";

/** NDJSON files of a streamed demo export, one per ARG table / API (the shapes `clarion run` reads). */
export const EXPORT_FILES = {
  resources: "resources.ndjson",
  resourceContainers: "resourcecontainers.ndjson",
  securityResources: "securityresources.ndjson",
  authorizationResources: "authorizationresources.ndjson",
  activityLog: "activity-log.ndjson",
  alerts: "alerts.ndjson",
} as const;

/**
 * Streams the demo tenant to disk one business unit at a time, so `--scale 100` (≈ 65k resources, ≈ 600k
 * security rows) is written in bounded memory. Returns row counts per file.
 */
export async function writeDemoExport(dir: string, opts: DemoOptions, onUnit?: (done: number, total: number) => void): Promise<Record<string, number>> {
  mkdirSync(dir, { recursive: true });
  const streams = Object.fromEntries(Object.entries(EXPORT_FILES).map(([k, f]) => [k, createWriteStream(join(dir, f))])) as Record<keyof typeof EXPORT_FILES, WriteStream>;
  const counts: Record<string, number> = Object.fromEntries(Object.values(EXPORT_FILES).map((f) => [f, 0]));
  const total = Math.max(1, Math.floor(opts.scale ?? 1));
  let done = 0;
  for await (const unit of streamDemoUnits(opts)) {
    for (const key of Object.keys(EXPORT_FILES) as (keyof typeof EXPORT_FILES)[]) {
      const rows = unit[key] as unknown[];
      const s = streams[key];
      let chunk = "";
      for (const r of rows) {
        chunk += `${JSON.stringify(r)}\n`;
        if (chunk.length > 1 << 20) {
          if (!s.write(chunk)) await new Promise<void>((res) => s.once("drain", () => res()));
          chunk = "";
        }
      }
      if (chunk && !s.write(chunk)) await new Promise<void>((res) => s.once("drain", () => res()));
      counts[EXPORT_FILES[key]] += rows.length;
    }
    onUnit?.(++done, total);
  }
  await Promise.all(Object.values(streams).map((s) => new Promise((res) => s.end(res))));
  return counts;
}
