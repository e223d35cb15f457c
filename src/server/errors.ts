import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { ClarionError, isClarionError, NotAllowedError } from "../domain/errors";

/** No or bad credentials (401), as opposed to NotAllowedError with credentials that lack a permission (403). */
export class UnauthenticatedError extends NotAllowedError {
  readonly unauthenticated = true;
}

/** A feature this server was not configured for (503, with what to set). */
export class NotConfiguredError extends Error {
  readonly statusCode = 503;
  readonly code = "NOT_CONFIGURED";
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** The one mapping from typed errors to HTTP status codes. */
export function statusFor(e: unknown): number {
  if (e instanceof UnauthenticatedError) return 401;
  if (isClarionError(e)) {
    switch (e.code) {
      case "INPUT_INVALID":
      case "INPUT_UNRECOGNIZED":
        return 400;
      case "NOT_FOUND":
        return 404;
      case "CONFLICT":
        return 409;
      case "NOT_ALLOWED":
        return 403;
      case "NOT_EVALUABLE":
        return 422;
      case "EXTERNAL_SERVICE":
        return 502;
      default:
        return 500;
    }
  }
  const fe = e as FastifyError;
  if (fe?.validation) return 400;
  if (typeof fe?.statusCode === "number" && fe.statusCode >= 400 && fe.statusCode < 600) return fe.statusCode;
  return 500;
}

export interface ErrorBody {
  error: { code: string; message: string; hint?: string };
}

export function errorHandler(e: unknown, req: FastifyRequest, reply: FastifyReply): void {
  const status = statusFor(e);
  let body: ErrorBody;
  if (isClarionError(e))
    body = { error: { code: status === 401 ? "UNAUTHENTICATED" : e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) } };
  else if (e instanceof NotConfiguredError) body = { error: { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) } };
  else if ((e as FastifyError)?.validation) body = { error: { code: "INPUT_INVALID", message: (e as Error).message } };
  else if (status < 500) body = { error: { code: (e as FastifyError).code ?? "HTTP_ERROR", message: (e as Error).message } };
  else body = { error: { code: "INTERNAL", message: "internal error" } };
  if (status >= 500 && !(e instanceof NotConfiguredError)) req.log.error({ err: e }, "request failed");
  if (status === 401) reply.header("www-authenticate", 'Bearer realm="clarion"');
  reply.status(status).send(body);
}

export { ClarionError };
