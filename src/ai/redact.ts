import type { RedactionConfig } from "../config/config";
import { createRedactor } from "../http/index";

/**
 * Redaction before anything leaves for a model: keys, connection strings, SAS tokens, passwords found in
 * properties, and personal data (emails, UPNs). Masks are typed (`[secret]`, `[email]`…) so the model can
 * still write "the owner's address" without seeing it. Uses the HTTP layer's rules, plus LLM-specific ones.
 */
export type Redactor = (text: string) => string;

const SAS = /([?&](?:sv|sig|se|sp|sr|st|spr|srt|ss|skoid|sktid)=)[^&\s"'#]+/gi;
const SAS_BARE = /\bsv=\d{4}-\d{2}-\d{2}&[^\s"']+/gi;
const CONN_STRING =
  /\b(?:DefaultEndpointsProtocol|AccountName|AccountKey|EndpointSuffix|SharedAccessKeyName|SharedAccessKey|SharedAccessSignature|Endpoint=sb|Server|Data Source|Initial Catalog|User ID|Uid|Password|Pwd)=[^;"'\s]+(?:;[A-Za-z ]+=[^;"'\s]*)+;?/gi;
const PASSWORD_KV = /((?:password|passwd|pwd|secret|api[-_]?key|access[-_]?key|token)"?\s*[:=]\s*)("?)[^\s"',;}]+\2/gi;
const BEARER = /\b(Bearer|Basic|SharedAccessSignature|SharedKey)\s+[A-Za-z0-9._~+/=:%-]+/g;
const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
/** Long base64/hex runs (account keys, function keys, PATs). */
const KEY_LIKE = /\b(?=[A-Za-z0-9+/]*[0-9])(?=[A-Za-z0-9+/]*[A-Z])(?=[A-Za-z0-9+/]*[a-z])[A-Za-z0-9+/]{32,}={0,2}(?![A-Za-z0-9+/=])/g;
const HEX_KEY = /\b[0-9a-f]{40,}\b/gi;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

export const DEFAULT_REDACTION: RedactionConfig = {
  enabled: true,
  secrets: true,
  connectionStrings: true,
  sasTokens: true,
  passwords: true,
  emails: true,
  patterns: [],
};

export function createLlmRedactor(cfg: Partial<RedactionConfig> = {}): Redactor {
  const c = { ...DEFAULT_REDACTION, ...cfg };
  if (!c.enabled) return (s) => s;
  const http = createRedactor();
  const extra = c.patterns.map((p) => new RegExp(p, "g"));
  return (text: string) => {
    let s = String(text);
    if (c.connectionStrings) s = s.replace(CONN_STRING, "[connection-string]");
    if (c.sasTokens) s = s.replace(SAS_BARE, "[sas-token]").replace(SAS, "$1[sas-token]");
    if (c.passwords) s = s.replace(PASSWORD_KV, "$1[secret]");
    if (c.secrets) {
      s = s.replace(BEARER, "$1 [secret]").replace(JWT, "[secret]");
      s = http(s).replace(/\*\*\*/g, "[secret]");
      s = s.replace(KEY_LIKE, "[secret]").replace(HEX_KEY, "[secret]");
    }
    if (c.emails) s = s.replace(EMAIL, "[email]");
    for (const p of extra) s = s.replace(p, "[redacted]");
    return s;
  };
}
