import { parentPort } from "node:worker_threads";
import { serveRequest, type ThreadRequest } from "./fast-ingest";

/** Worker-thread side of ingestNdjsonFast: an init message, then one message per byte range, each answered. */
parentPort?.on("message", (msg: ThreadRequest) => {
  const result = serveRequest(msg);
  if (result) parentPort?.postMessage(result);
});
