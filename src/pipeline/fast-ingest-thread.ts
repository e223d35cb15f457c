import { parentPort } from "node:worker_threads";
import { serveRequest, type ThreadRequest } from "./fast-ingest";

/** Worker-thread side of ingestNdjsonFast: one message per phase, answered with that range's result. */
parentPort?.on("message", (msg: ThreadRequest) => {
  parentPort?.postMessage(serveRequest(msg));
});
