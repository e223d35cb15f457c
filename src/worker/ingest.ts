import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { ArmResourceSchema } from "../domain/resource";
import { idKey } from "../domain/resource";
import { normalizeAssessment } from "../pipeline/normalize";

/**
 * Bulk NDJSON ingest (benchmark B1): resources and Defender assessments, normalized with the pipeline's
 * own row normalizers and joined assessment → resource, optionally split over worker threads by byte
 * range (each range starts after a newline, so no line is read twice or cut).
 */
export interface IngestTotals {
  resources: number;
  assessments: number;
  rejected: number;
  /** Assessments whose resource is in the inventory. */
  joined: number;
  unmatched: number;
  /** `${resourceType}|${status}` → count, over joined assessments. */
  byTypeStatus: Record<string, number>;
}

export const emptyTotals = (): IngestTotals => ({ resources: 0, assessments: 0, rejected: 0, joined: 0, unmatched: 0, byTypeStatus: {} });

/** Calls `onLine` for each non-empty line in [start, end) of the file (start must be 0 or just after a newline). */
export function forEachLine(file: string, start: number, end: number, onLine: (line: string) => void): void {
  const fd = openSync(file, "r");
  try {
    const buf = Buffer.allocUnsafe(8 << 20);
    let pos = start;
    let carry = "";
    while (pos < end) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, end - pos), pos);
      if (n <= 0) break;
      pos += n;
      let s = 0;
      for (let i = buf.indexOf(10, 0); i !== -1 && i < n; i = buf.indexOf(10, i + 1)) {
        const line = carry + buf.toString("utf8", s, i);
        carry = "";
        if (line.length > 1) onLine(line);
        s = i + 1;
      }
      if (s < n) carry += buf.toString("utf8", s, n);
    }
    if (carry.trim()) onLine(carry);
  } finally {
    closeSync(fd);
  }
}

/** Byte offsets splitting a file into `parts` ranges that each start at a line. */
export function lineRanges(file: string, parts: number): [number, number][] {
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    const cuts = [0];
    const b = Buffer.alloc(64 << 10);
    for (let k = 1; k < parts; k++) {
      let p = Math.max(cuts[cuts.length - 1], Math.floor((size * k) / parts));
      for (;;) {
        const n = readSync(fd, b, 0, b.length, p);
        if (n <= 0) {
          p = size;
          break;
        }
        const i = b.indexOf(10);
        if (i !== -1 && i < n) {
          p += i + 1;
          break;
        }
        p += n;
      }
      cuts.push(Math.min(p, size));
    }
    cuts.push(size);
    return cuts.slice(0, -1).map((c, i) => [c, cuts[i + 1]] as [number, number]);
  } finally {
    closeSync(fd);
  }
}

/** Resources in a range → [lower-cased id, lower-cased type] pairs. */
export function readResources(file: string, start: number, end: number, totals: IngestTotals): [string, string][] {
  const out: [string, string][] = [];
  forEachLine(file, start, end, (line) => {
    try {
      const r = ArmResourceSchema.safeParse(JSON.parse(line));
      if (!r.success) {
        totals.rejected++;
        return;
      }
      totals.resources++;
      out.push([idKey(r.data.id), r.data.type.toLowerCase()]);
    } catch {
      totals.rejected++;
    }
  });
  return out;
}

/** Assessments in a range, normalized and joined to the resource types. */
export function joinAssessments(file: string, start: number, end: number, types: Map<string, string>, totals: IngestTotals): void {
  forEachLine(file, start, end, (line) => {
    let a: ReturnType<typeof normalizeAssessment>;
    try {
      a = normalizeAssessment(JSON.parse(line));
    } catch {
      totals.rejected++;
      return;
    }
    totals.assessments++;
    const type = types.get(idKey(a.resourceId));
    if (type === undefined) {
      totals.unmatched++;
      return;
    }
    totals.joined++;
    const k = `${type}|${a.status}`;
    totals.byTypeStatus[k] = (totals.byTypeStatus[k] ?? 0) + 1;
  });
}

export function addTotals(into: IngestTotals, t: IngestTotals): IngestTotals {
  for (const k of ["resources", "assessments", "rejected", "joined", "unmatched"] as const) into[k] += t[k];
  for (const [k, v] of Object.entries(t.byTypeStatus)) into.byTypeStatus[k] = (into.byTypeStatus[k] ?? 0) + v;
  return into;
}

/** The whole ingest in this thread. */
export function ingestNdjson(resourcesFile: string, assessmentsFile: string): IngestTotals {
  const totals = emptyTotals();
  const pairs = readResources(resourcesFile, 0, Number.MAX_SAFE_INTEGER, totals);
  joinAssessments(assessmentsFile, 0, Number.MAX_SAFE_INTEGER, new Map(pairs), totals);
  return totals;
}

/**
 * Worker threads do not inherit tsx's loader hooks on Node 20, so the thread first registers tsx's ESM
 * hooks (when running from TypeScript sources), then imports the thread module.
 */
function startThread(moduleUrl: string): Worker {
  if (!moduleUrl.endsWith(".ts")) return new Worker(new URL(moduleUrl));
  const api = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm/api").replace(/index\.cjs$/, "index.mjs")).href;
  return new Worker(`import(${JSON.stringify(api)}).then((m) => m.register()).then(() => import(${JSON.stringify(moduleUrl)}))`, { eval: true });
}

type ThreadMsg = { op: "resources"; file: string; start: number; end: number } | { op: "assessments"; file: string; start: number; end: number; pairs: [string, string][] };

/** The same ingest over `threads` worker threads: resources by range, then assessments by range. */
export async function ingestNdjsonParallel(resourcesFile: string, assessmentsFile: string, threads: number): Promise<IngestTotals> {
  if (threads <= 1) return ingestNdjson(resourcesFile, assessmentsFile);
  const workers = Array.from({ length: threads }, () => startThread(new URL("./ingest-thread.ts", import.meta.url).href));
  const call = <T>(w: Worker, msg: ThreadMsg) =>
    new Promise<T>((resolve, reject) => {
      w.once("message", resolve);
      w.once("error", reject);
      w.postMessage(msg);
    });
  try {
    const totals = emptyTotals();
    const res = await Promise.all(lineRanges(resourcesFile, threads).map(([start, end], i) => call<{ pairs: [string, string][]; totals: IngestTotals }>(workers[i], { op: "resources", file: resourcesFile, start, end })));
    const pairs = res.flatMap((r) => r.pairs);
    for (const r of res) addTotals(totals, r.totals);
    const parts = await Promise.all(lineRanges(assessmentsFile, threads).map(([start, end], i) => call<{ totals: IngestTotals }>(workers[i], { op: "assessments", file: assessmentsFile, start, end, pairs })));
    for (const p of parts) addTotals(totals, p.totals);
    return totals;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
