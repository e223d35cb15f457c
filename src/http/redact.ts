/**
 * Redaction of secrets before anything reaches a log line or an error message. Applied by the pipeline to
 * every URL, header and body excerpt it prints; exported so other layers (LLM, ticketing) use the same rules.
 */

export interface RedactOptions {
  /** Extra query parameter names whose values are hidden (case-insensitive). */
  queryParams?: string[];
  /** Extra JSON keys whose string values are hidden (case-insensitive). */
  jsonKeys?: string[];
  /** Extra patterns replaced by `***`. */
  patterns?: RegExp[];
}

export type Redactor = (text: string) => string;

const DEFAULT_QUERY = [
  "sig",
  "signature",
  "code",
  "client_secret",
  "access_token",
  "refresh_token",
  "id_token",
  "token",
  "api-key",
  "apikey",
  "key",
  "password",
  "secret",
  "sv",
  "se",
  "sp",
  "sr",
  "skoid",
  "sktid",
];
const DEFAULT_JSON = [
  "access_token",
  "refresh_token",
  "id_token",
  "client_secret",
  "password",
  "secret",
  "apiKey",
  "api-key",
  "authorization",
  "token",
  "connectionString",
  "sharedKey",
  "primaryKey",
  "secondaryKey",
];
const SECRET_HEADERS = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "api-key",
  "x-api-key",
  "ocp-apim-subscription-key",
  "x-ms-authorization-auxiliary",
]);

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
}

/**
 * Builds a redactor. Hides bearer/basic credentials, JWTs, secret query parameters, secret JSON members and
 * connection-string keys.
 * @example createRedactor()("GET https://x/?sig=abc&a=1") // "GET https://x/?sig=***&a=1"
 */
export function createRedactor(opts: RedactOptions = {}): Redactor {
  const q = [...DEFAULT_QUERY, ...(opts.queryParams ?? [])].map(escapeRe).join("|");
  const j = [...DEFAULT_JSON, ...(opts.jsonKeys ?? [])].map(escapeRe).join("|");
  const queryRe = new RegExp(`([?&;](?:${q})=)[^&#\\s"']*`, "gi");
  const jsonRe = new RegExp(`("(?:${j})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, "gi");
  const extra = opts.patterns ?? [];
  return (text: string) => {
    let s = String(text);
    s = s.replace(/\b(Bearer|Basic|SharedAccessSignature|SharedKey)\s+[A-Za-z0-9._~+/=:%-]+/g, "$1 ***");
    s = s.replace(/eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, "***jwt***");
    s = s.replace(queryRe, "$1***");
    s = s.replace(jsonRe, '$1"***"');
    s = s.replace(/((?:AccountKey|SharedAccessKey|Password|Pwd)=)[^;"'\s]+/gi, "$1***");
    for (const p of extra) s = s.replace(p, "***");
    return s;
  };
}

/** The default redactor. */
export const redact: Redactor = createRedactor();

/** Header bag safe to print: secret headers replaced by `***`. */
export function redactHeaders(headers: Record<string, string>, r: Redactor = redact): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = SECRET_HEADERS.has(k.toLowerCase()) ? "***" : r(v);
  return out;
}
