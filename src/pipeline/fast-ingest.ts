import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { formatWhere, type InputError } from "../domain/errors";
import type { ArmResource } from "../domain/resource";
import type { Assessment } from "../domain/records";
import { scanAssessment } from "./fast-assessment";
import {
  classifyRow,
  type IngestReport,
  normalizeAssessment,
  normalizeClassified,
  normalizeResource,
  type RowOrigin,
  rejectionOf,
} from "./normalize";

/**
 * Bulk NDJSON ingest (benchmark B1): inventory rows and Defender assessments read in large chunks, lines
 * split on the bytes, assessments read by the fast path (`scanAssessment`) and every other line by the full
 * path (`JSON.parse` + `classifyRow` + the pipeline's normalizers, same rejections with file, line and
 * field), then each assessment joined to its resource's type. One pass over each file; on N threads each
 * file is cut into N byte ranges on line boundaries.
 *
 * Unlike `Normalizer`, this streaming ingest keeps no records and does not drop duplicate ids (neither
 * does the DuckDB baseline); rows of other kinds are normalized and counted as `other`.
 */
export interface IngestTotals {
  resources: number;
  assessments: number;
  /** Rows of other kinds (alerts, activity, scores…), normalized and counted. */
  other: number;
  rejected: number;
  /** Assessments whose resource is in the inventory. */
  joined: number;
  unmatched: number;
  /** `${resourceType}|${status}` → count, over joined assessments. */
  byTypeStatus: Record<string, number>;
  /** Assessments read by the scanner (with `scanner: true`; the rest went through JSON.parse + the normalizer). */
  fastPath: number;
  report: IngestReport;
}

export interface IngestOptions {
  /** Worker threads (1 = this thread). */
  threads?: number;
  /** With threads > 1: the assessments file is cut into threads × this many ranges (default 16). */
  rangesPerThread?: number;
  /** Read size in bytes (default 4 MiB; a longer line grows the buffer). */
  chunkBytes?: number;
  /**
   * Read assessment lines with the hand-written scanner (`scanAssessment`) before falling back to
   * JSON.parse. Off by default: on Node 20 it measured slower than V8's JSON.parse (docs/scale-out.md, B1).
   */
  scanner?: boolean;
}

/**
 * Calls onLine(buf, start, end, lineNo) for every line in the byte range [from, to) of a file (from must
 * be 0 or just after a newline). The line's bytes are buf[start, end) without the newline and one trailing
 * CR; they are valid only during the call. Returns the number of lines (newlines, plus a last unterminated one).
 */
export function forEachLine(
  file: string,
  from: number,
  to: number,
  onLine: (buf: Buffer, start: number, end: number, lineNo: number) => void,
  chunkBytes = 4 << 20,
): number {
  const fd = openSync(file, "r");
  try {
    let buf = Buffer.allocUnsafe(chunkBytes);
    let have = 0; // valid bytes in buf
    let pos = from;
    let lineNo = 0;
    for (;;) {
      if (have === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2); // a line longer than the buffer
        buf.copy(bigger, 0, 0, have);
        buf = bigger;
      }
      const n = pos < to ? readSync(fd, buf, have, Math.min(buf.length - have, to - pos), pos) : 0;
      if (n <= 0) {
        if (have > 0) onLine(buf, 0, have > 0 && buf[have - 1] === 13 ? have - 1 : have, ++lineNo);
        return lineNo;
      }
      pos += n;
      const filled = have + n;
      let s = 0;
      let i = buf.indexOf(10, have);
      while (i !== -1 && i < filled) {
        onLine(buf, s, i > s && buf[i - 1] === 13 ? i - 1 : i, ++lineNo);
        s = i + 1;
        i = buf.indexOf(10, s);
      }
      have = filled - s;
      if (have > 0 && s > 0) buf.copy(buf, 0, s, filled);
    }
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

/** A rejection as a range records it: its line is relative to the range until the ranges are stitched. */
interface RangeRejection {
  line: number;
  category: string;
  field?: string;
  reason: string;
}

/** What one range of one file produced. */
interface RangeResult {
  lines: number;
  read: number;
  accepted: number;
  rejected: number;
  byReason: Record<string, number>;
  errors: RangeRejection[];
  resources: number;
  assessments: number;
  other: number;
  joined: number;
  unmatched: number;
  fastPath: number;
  /** type index → [Healthy, Unhealthy, NotApplicable] counts. */
  counts: number[];
  /** Resources phase: [id, type] of each inventory row, as written. */
  pairs?: [string, string][];
}

const STATUS_INDEX: Record<Assessment["status"], number> = { Healthy: 0, Unhealthy: 1, NotApplicable: 2 };
const STATUSES: Assessment["status"][] = ["Healthy", "Unhealthy", "NotApplicable"];
const MAX_ERRORS = 200;

/** Reads one byte range: resources (collect id → type) or assessments (join against `types`). */
export function ingestRange(
  file: string,
  from: number,
  to: number,
  phase: "resources" | "assessments",
  types: JoinIndex,
  opts: IngestOptions = {},
): RangeResult {
  const r: RangeResult = {
    lines: 0,
    read: 0,
    accepted: 0,
    rejected: 0,
    byReason: {},
    errors: [],
    resources: 0,
    assessments: 0,
    other: 0,
    joined: 0,
    unmatched: 0,
    fastPath: 0,
    counts: [],
  };
  const pairs: [string, string][] = [];
  const fast = opts.scanner === true && phase === "assessments";
  const reject = (line: number, category: string, field: string | undefined, reason: string) => {
    r.rejected++;
    r.byReason[category] = (r.byReason[category] ?? 0) + 1;
    if (r.errors.length < MAX_ERRORS) r.errors.push({ line, category, field, reason });
  };
  const join = (a: Assessment) => {
    r.assessments++;
    if (phase !== "assessments") return;
    const t = types.get(a.resourceId.toLowerCase());
    if (t === undefined) {
      r.unmatched++;
      return;
    }
    r.joined++;
    const k = t * 3 + STATUS_INDEX[a.status];
    r.counts[k] = (r.counts[k] ?? 0) + 1;
  };
  const origin: RowOrigin = { file, line: 0 };
  r.lines = forEachLine(
    file,
    from,
    to,
    (buf, s, e, lineNo) => {
      if (fast) {
        const a = scanAssessment(buf, s, e);
        if (a !== undefined) {
          r.read++;
          r.accepted++;
          r.fastPath++;
          join(a);
          return;
        }
      }
      // The full path, exactly as readInputs + Normalizer treat an NDJSON line.
      const text = buf.toString("utf8", s, e);
      if (!text.trim()) return;
      r.read++;
      let row: unknown;
      try {
        row = JSON.parse(text);
      } catch (err) {
        reject(lineNo, "unreadable", undefined, `malformed JSON: ${(err as Error).message}`);
        return;
      }
      try {
        origin.line = lineNo;
        const c = classifyRow({ row, origin });
        if (c.kind === "assessment") join(normalizeAssessment(c.obj));
        else if (c.kind === "resource") {
          const res: ArmResource = normalizeResource(c.obj);
          r.resources++;
          if (phase === "resources") pairs.push([res.id, res.type]);
        } else {
          normalizeClassified(c);
          r.other++;
        }
        r.accepted++;
      } catch (err) {
        const why = rejectionOf(err);
        reject(lineNo, why.category, why.field, why.reason);
      }
    },
    opts.chunkBytes,
  );
  if (phase === "resources") r.pairs = pairs;
  return r;
}

/** The join index: lower-cased resource id → type (a small index into `typeNames`); a later row with the same id wins. */
export type JoinIndex = Map<string, number>;

function typeMap(pairs: [string, string][], typeNames: string[]): JoinIndex {
  const index = new Map<string, number>(typeNames.map((t, i) => [t, i]));
  const m: JoinIndex = new Map();
  for (const [id, type] of pairs) {
    const typeKey = type.toLowerCase();
    let t = index.get(typeKey);
    if (t === undefined) {
      t = typeNames.length;
      typeNames.push(typeKey);
      index.set(typeKey, t);
    }
    m.set(id.toLowerCase(), t);
  }
  return m;
}

/** Adds the ranges of one file, in order, to the totals; rejections get their file line numbers. */
function stitch(totals: IngestTotals, file: string, ranges: RangeResult[], typeNames: string[]): void {
  let lineOffset = 0;
  const rep = totals.report;
  for (const r of ranges) {
    for (const k of ["resources", "assessments", "other", "joined", "unmatched", "fastPath"] as const) totals[k] += r[k];
    totals.rejected += r.rejected;
    rep.read += r.read;
    rep.accepted += r.accepted;
    rep.rejected += r.rejected;
    for (const [k, v] of Object.entries(r.byReason)) rep.byReason[k] = (rep.byReason[k] ?? 0) + v;
    for (const err of r.errors) {
      if (rep.errors.length >= MAX_ERRORS) break;
      const where: InputError["where"] = { file, line: err.line + lineOffset, field: err.field };
      rep.errors.push({ where: formatWhere(where).replace(/: $/, ""), field: err.field, reason: err.reason });
    }
    r.counts.forEach((n, k) => {
      if (!n) return;
      const key = `${typeNames[Math.floor(k / 3)]}|${STATUSES[k % 3]}`;
      totals.byTypeStatus[key] = (totals.byTypeStatus[key] ?? 0) + n;
    });
    lineOffset += r.lines;
  }
}

const NO_INDEX: JoinIndex = new Map();

const emptyTotals = (): IngestTotals => ({
  resources: 0,
  assessments: 0,
  other: 0,
  rejected: 0,
  joined: 0,
  unmatched: 0,
  byTypeStatus: {},
  fastPath: 0,
  report: { read: 0, accepted: 0, rejected: 0, byReason: {}, errors: [] },
});

/**
 * The whole ingest: the inventory file, then the assessments file joined against it, on `threads`
 * worker threads (1: in this thread).
 */
export async function ingestNdjsonFast(resourcesFile: string, assessmentsFile: string, opts: IngestOptions = {}): Promise<IngestTotals> {
  const threads = Math.max(1, opts.threads ?? 1);
  const totals = emptyTotals();
  const typeNames: string[] = [];
  if (threads === 1) {
    const res = ingestRange(resourcesFile, 0, Number.MAX_SAFE_INTEGER, "resources", NO_INDEX, opts);
    const types = typeMap(res.pairs ?? [], typeNames);
    res.pairs = undefined;
    stitch(totals, resourcesFile, [res], typeNames);
    stitch(totals, assessmentsFile, [ingestRange(assessmentsFile, 0, Number.MAX_SAFE_INTEGER, "assessments", types, opts)], typeNames);
    return totals;
  }
  // Threads - 1 workers boot (tsx + modules, a few hundred ms) while this thread reads the inventory. The
  // assessments are then cut into many byte ranges that every thread, this one included, claims one at a
  // time from a shared atomic counter: a thread that booted late, warms its JIT slower or gets less CPU (a
  // shared machine) simply takes fewer ranges, and nobody waits for another thread to hand work out.
  const workers = Array.from({ length: threads - 1 }, () => startThread(new URL("./fast-ingest-thread.ts", import.meta.url).href));
  try {
    const res = ingestRange(resourcesFile, 0, Number.MAX_SAFE_INTEGER, "resources", NO_INDEX, opts);
    const pairs = res.pairs ?? [];
    res.pairs = undefined;
    const types = typeMap(pairs, typeNames);
    stitch(totals, resourcesFile, [res], typeNames);
    const ranges = lineRanges(assessmentsFile, threads * (opts.rangesPerThread ?? 16));
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const job: AssessmentJob = { file: assessmentsFile, ranges, counter, pairs, typeNames: [...typeNames], opts };
    const pending = workers.map(
      (w) =>
        new Promise<[number, RangeResult][]>((resolve, reject) => {
          w.once("error", reject);
          w.once("exit", (code) => reject(new Error(`ingest worker exited (${code}) before answering`)));
          w.once("message", resolve);
          w.postMessage(job);
        }),
    );
    const results: RangeResult[] = new Array(ranges.length);
    for (const [k, r] of claimRanges(job, types)) results[k] = r;
    for (const part of await Promise.all(pending)) for (const [k, r] of part) results[k] = r;
    stitch(totals, assessmentsFile, results, typeNames);
    return totals;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** The assessments phase as every thread sees it: ranges claimed through a shared counter. */
export interface AssessmentJob {
  file: string;
  ranges: [number, number][];
  counter: Int32Array;
  pairs: [string, string][];
  typeNames: string[];
  opts: IngestOptions;
}

function claimRanges(job: AssessmentJob, types: JoinIndex): [number, RangeResult][] {
  const out: [number, RangeResult][] = [];
  for (let k = Atomics.add(job.counter, 0, 1); k < job.ranges.length; k = Atomics.add(job.counter, 0, 1)) {
    out.push([k, ingestRange(job.file, job.ranges[k][0], job.ranges[k][1], "assessments", types, job.opts)]);
  }
  return out;
}

/** Worker side: builds its join index, then claims ranges until none is left; answers with their results. */
export function serveJob(job: AssessmentJob): [number, RangeResult][] {
  return claimRanges(job, typeMap(job.pairs, [...job.typeNames]));
}

/**
 * Worker threads do not inherit tsx's loader hooks on Node 20, so the thread first registers tsx's ESM
 * hooks (when running from TypeScript sources), then imports the thread module.
 */
function startThread(moduleUrl: string): Worker {
  if (!moduleUrl.endsWith(".ts")) return new Worker(new URL(moduleUrl));
  const api = pathToFileURL(
    createRequire(import.meta.url)
      .resolve("tsx/esm/api")
      .replace(/index\.cjs$/, "index.mjs"),
  ).href;
  return new Worker(`import(${JSON.stringify(api)}).then((m) => m.register()).then(() => import(${JSON.stringify(moduleUrl)}))`, {
    eval: true,
  });
}
