import { parentPort } from "node:worker_threads";
import { type AssessmentJob, serveJob } from "./fast-ingest";

/** Worker-thread side of ingestNdjsonFast: one job, answered with the results of the ranges it claimed. */
parentPort?.once("message", (job: AssessmentJob) => {
  parentPort?.postMessage(serveJob(job));
});
