import { parentPort } from "node:worker_threads";
import { emptyTotals, joinAssessments, readResources } from "./ingest";

/** Worker-thread side of ingestNdjsonParallel: one message per phase, answered with that range's totals. */
parentPort?.on("message", (msg: { op: string; file: string; start: number; end: number; pairs?: [string, string][] }) => {
  const totals = emptyTotals();
  if (msg.op === "resources") {
    const pairs = readResources(msg.file, msg.start, msg.end, totals);
    parentPort?.postMessage({ pairs, totals });
  } else {
    joinAssessments(msg.file, msg.start, msg.end, new Map(msg.pairs), totals);
    parentPort?.postMessage({ totals });
  }
});
