export { createHttpPipeline, HttpError, isHttpError, sendJson } from "./pipeline";
export type { HttpPipeline, HttpPipelineOptions, JsonResponse, SendJsonOptions, TraceEvent } from "./pipeline";
export { createRedactor, redact, redactHeaders } from "./redact";
export type { RedactOptions, Redactor } from "./redact";
export { AttemptTimeoutError, parseTimeSpan, RETRY_DEFAULTS, serverRequestedDelay, sleep } from "./retry";
export type { RetryEvent, RetryOptions } from "./retry";
export { Semaphore } from "./throttle";
export type { ThrottleOptions } from "./throttle";
