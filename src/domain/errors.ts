/**
 * One error module for the whole project. Every error carries a stable `code` (scripts match on it),
 * an optional `cause`, and a `hint` telling the user what to do next. Exactly one place (the HTTP layer's
 * onError, and the CLI's top-level handler) maps these to status codes / exit codes.
 */
export type ErrorCode =
  | "INPUT_INVALID"
  | "INPUT_UNRECOGNIZED"
  | "NOT_FOUND"
  | "CONFLICT"
  | "NOT_ALLOWED"
  | "EXTERNAL_SERVICE"
  | "NOT_EVALUABLE"
  | "INTERNAL";

export class ClarionError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  constructor(code: ErrorCode, message: string, opts: { cause?: unknown; hint?: string } = {}) {
    super(message, { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = opts.hint;
  }
}

/** Bad input: names where (file, line or index, field) so the user can fix it. */
export class InputError extends ClarionError {
  readonly where?: { file?: string; line?: number; index?: number; field?: string };
  constructor(message: string, where?: InputError["where"], opts: { cause?: unknown; hint?: string } = {}) {
    super("INPUT_INVALID", formatWhere(where) + message, opts);
    this.where = where;
  }
}

export class NotFoundError extends ClarionError {
  constructor(message: string, opts: { cause?: unknown; hint?: string } = {}) {
    super("NOT_FOUND", message, opts);
  }
}

export class ConflictError extends ClarionError {
  constructor(message: string, opts: { cause?: unknown; hint?: string } = {}) {
    super("CONFLICT", message, opts);
  }
}

export class NotAllowedError extends ClarionError {
  constructor(message: string, opts: { cause?: unknown; hint?: string } = {}) {
    super("NOT_ALLOWED", message, opts);
  }
}

export class ExternalServiceError extends ClarionError {
  readonly statusCode?: number;
  constructor(message: string, statusCode?: number, opts: { cause?: unknown; hint?: string } = {}) {
    super("EXTERNAL_SERVICE", message, opts);
    this.statusCode = statusCode;
  }
}

/** Something that cannot be decided offline (e.g. a policy function that needs live Azure): reported, never guessed. */
export class NotEvaluableError extends ClarionError {
  constructor(message: string, opts: { cause?: unknown; hint?: string } = {}) {
    super("NOT_EVALUABLE", message, opts);
  }
}

export function isClarionError(e: unknown): e is ClarionError {
  return e instanceof ClarionError;
}

export function formatWhere(where?: InputError["where"]): string {
  if (!where) return "";
  const parts: string[] = [];
  if (where.file) parts.push(where.file);
  if (where.line !== undefined) parts.push(`line ${where.line}`);
  if (where.index !== undefined) parts.push(`index ${where.index}`);
  if (where.field) parts.push(`field ${where.field}`);
  return parts.length ? `${parts.join(", ")}: ` : "";
}

/** Maps an error to a process exit code (CLI) — the HTTP layer has its own single mapping. */
export function exitCodeFor(e: unknown): number {
  if (!isClarionError(e)) return 1;
  switch (e.code) {
    case "INPUT_INVALID":
    case "INPUT_UNRECOGNIZED":
      return 2;
    case "NOT_FOUND":
      return 3;
    case "NOT_ALLOWED":
      return 4;
    default:
      return 1;
  }
}
