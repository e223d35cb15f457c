import type { Assessment } from "../domain/records";

/**
 * Fast path for one NDJSON line holding a Defender assessment (ARG `securityresources` or REST shape).
 *
 * A small strict JSON scanner walks the line's bytes once, validates all of it (so a line `JSON.parse`
 * would refuse is never accepted here) and decodes only the fields `normalizeAssessment` reads. It returns
 * the same record the full path (`JSON.parse` + `Normalizer` routing + `normalizeAssessment` + zod) would
 * build, or `undefined` whenever anything is unusual — another row type, a value of an unexpected kind, a
 * duplicate key, an escaped key, an unknown status, a row the full path would reject — and the caller then
 * takes the full path, which keeps every validation and error message. `fast-assessment.test.ts` checks
 * the equivalence on generated rows.
 */
export function scanAssessment(buf: Buffer, start: number, end: number): Assessment | undefined {
  // String scanning stops at the first byte of a class other than 0 without a bounds check, so the byte
  // at `end` must not be an ordinary one (readers pass lines ending at a newline or CR, or at the buffer's end).
  if (end < buf.length && CLASS[buf[end]] === 0) {
    buf = Buffer.from(buf.subarray(start, end));
    end -= start;
    start = 0;
  }
  b = buf;
  p = start;
  e = end;
  try {
    return scanRow();
  } catch {
    return undefined; // FAIL, or a RangeError from absurd nesting: the full path decides
  } finally {
    b = EMPTY;
  }
}

const EMPTY = Buffer.alloc(0);
const FAIL = new Error("fast path declined");
let b: Buffer = EMPTY;
let p = 0;
let e = 0;
// The string just scanned: content bytes [ss, se), whether it has escapes / non-ASCII bytes.
let ss = 0;
let se = 0;
let sEsc = false;
let sHigh = false;

const Q = 34; // "
const BS = 92; // \
/** Byte classes inside a string: 0 ordinary ASCII, 1 quote, 2 backslash, 3 control (invalid), 4 non-ASCII. */
const CLASS = new Uint8Array(256);
for (let c = 0; c < 32; c++) CLASS[c] = 3;
CLASS[Q] = 1;
CLASS[BS] = 2;
for (let c = 128; c < 256; c++) CLASS[c] = 4;

type Slicer = (this: Buffer, start: number, end: number) => string;
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice: Slicer }).latin1Slice;
const utf8Slice = (Buffer.prototype as unknown as { utf8Slice: Slicer }).utf8Slice;

function fail(): never {
  throw FAIL;
}

function ws(): void {
  while (p < e) {
    const c = b[p];
    if (c === 32 || c === 10 || c === 13 || c === 9) p++;
    else return;
  }
}

function expect(c: number): void {
  ws();
  if (p >= e || b[p] !== c) fail();
  p++;
}

/** At an opening quote: scans the string, validating escapes and control characters. */
function scanString(): void {
  const buf = b;
  let i = p + 1;
  ss = i;
  sEsc = false;
  sHigh = false;
  for (;;) {
    let cls = CLASS[buf[i]];
    while (cls === 0) cls = CLASS[buf[++i]];
    if (i >= e) fail();
    if (cls === 1) {
      se = i;
      p = i + 1;
      return;
    }
    if (cls === 4) {
      sHigh = true;
      i++;
    } else if (cls === 2) {
      sEsc = true;
      if (i + 1 >= e) fail();
      const n = buf[i + 1];
      if (n === 117) {
        // \uXXXX
        if (i + 6 > e) fail();
        for (let k = i + 2; k < i + 6; k++) if (!isHex(buf[k])) fail();
        i += 6;
      } else if (n === Q || n === BS || n === 47 || n === 98 || n === 102 || n === 110 || n === 114 || n === 116) i += 2;
      else fail();
    } else fail(); // a control character (or the end of the line)
  }
}

const isHex = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/**
 * The string just scanned, decoded exactly as JSON.parse decodes it in the line's text (the line is
 * decoded with Buffer#toString("utf8"); a string's bounds are ASCII quotes, so decoding the slice gives the
 * same characters, bad bytes included).
 */
function strValue(): string {
  if (sEsc) return JSON.parse(utf8Slice.call(b, ss - 1, se + 1)) as string;
  return sHigh ? utf8Slice.call(b, ss, se) : latin1Slice.call(b, ss, se);
}

function skipNumber(): void {
  if (b[p] === 45) p++;
  if (p >= e) fail();
  if (b[p] === 48) p++;
  else if (b[p] >= 49 && b[p] <= 57) while (p < e && b[p] >= 48 && b[p] <= 57) p++;
  else fail();
  if (p < e && b[p] === 46) {
    p++;
    if (!(p < e && b[p] >= 48 && b[p] <= 57)) fail();
    while (p < e && b[p] >= 48 && b[p] <= 57) p++;
  }
  if (p < e && (b[p] === 101 || b[p] === 69)) {
    p++;
    if (p < e && (b[p] === 43 || b[p] === 45)) p++;
    if (!(p < e && b[p] >= 48 && b[p] <= 57)) fail();
    while (p < e && b[p] >= 48 && b[p] <= 57) p++;
  }
}

function literal(word: string): void {
  if (p + word.length > e) fail();
  for (let k = 0; k < word.length; k++) if (b[p + k] !== word.charCodeAt(k)) fail();
  p += word.length;
}

/** Skips any JSON value (validated). */
function skipValue(): void {
  ws();
  if (p >= e) fail();
  const c = b[p];
  if (c === Q) scanString();
  else if (c === 123) skipContainer(125, true);
  else if (c === 91) skipContainer(93, false);
  else if (c === 116) literal("true");
  else if (c === 102) literal("false");
  else if (c === 110) literal("null");
  else if (c === 45 || (c >= 48 && c <= 57)) skipNumber();
  else fail();
}

function skipContainer(close: number, isObject: boolean): void {
  p++;
  ws();
  if (p < e && b[p] === close) {
    p++;
    return;
  }
  for (;;) {
    if (isObject) {
      ws();
      if (p >= e || b[p] !== Q) fail();
      scanString();
      expect(58);
    }
    skipValue();
    ws();
    if (p >= e) fail();
    const c = b[p++];
    if (c === close) return;
    if (c !== 44) fail();
  }
}

/** A string or null value (null → undefined); anything else declines the fast path. */
function optString(): string | undefined {
  ws();
  if (p >= e) fail();
  if (b[p] === Q) {
    scanString();
    return strValue();
  }
  if (b[p] === 110) {
    literal("null");
    return undefined;
  }
  return fail();
}

const STATUS_WORDS = ["Healthy", "Unhealthy", "NotApplicable"];
const SEVERITY_WORDS = ["High", "Medium", "Low"];

/**
 * A string or null value compared, ignoring ASCII case, with a few canonical words: returns the canonical
 * word without allocating (toLowerCase would map it the same), else the decoded string.
 */
function enumString(words: string[]): string | undefined {
  ws();
  if (p < e && b[p] === Q) {
    scanString();
    if (!sEsc && !sHigh) {
      const n = se - ss;
      for (const w of words) {
        if (w.length !== n) continue;
        let k = 0;
        while (k < n && (b[ss + k] | 32) === (w.charCodeAt(k) | 32)) k++;
        if (k === n) return w;
      }
    }
    return strValue();
  }
  return optString();
}

/**
 * Iterates the members of an object at p; calls onKey with the key's length (the key's bytes are
 * [ss, se)); onKey must consume the value. Escaped keys decline (they could spell a field we read).
 */
function members(onKey: (len: number) => void): void {
  expect(123);
  ws();
  if (p < e && b[p] === 125) {
    p++;
    return;
  }
  for (;;) {
    ws();
    if (p >= e || b[p] !== Q) fail();
    scanString();
    if (sEsc) fail();
    const ks = ss;
    const ke = se;
    expect(58);
    ss = ks;
    se = ke;
    onKey(ke - ks);
    ws();
    if (p >= e) fail();
    const c = b[p++];
    if (c === 125) return;
    if (c !== 44) fail();
  }
}

/** Does the key [ss, se) equal the ASCII literal exactly? */
function keyIs(lit: string): boolean {
  if (se - ss !== lit.length) return false;
  for (let k = 0; k < lit.length; k++) if (b[ss + k] !== lit.charCodeAt(k)) return false;
  return true;
}

/** Case-insensitive (ASCII) key comparison against a lower-case literal. */
function keyIsCi(lower: string): boolean {
  if (se - ss !== lower.length) return false;
  for (let k = 0; k < lower.length; k++) {
    const c = b[ss + k];
    if ((c >= 65 && c <= 90 ? c + 32 : c) !== lower.charCodeAt(k)) return false;
  }
  return true;
}

/** Is the value at p (after whitespace) an object? */
function atObject(): boolean {
  ws();
  return p < e && b[p] === 123;
}

/** An array of strings (→ string[]), or anything that is not an array (→ undefined, as Array.isArray). */
function optStringArray(): string[] | undefined {
  ws();
  if (p >= e) fail();
  if (b[p] !== 91) {
    skipValue();
    return undefined;
  }
  p++;
  const out: string[] = [];
  ws();
  if (p < e && b[p] === 93) {
    p++;
    return out;
  }
  for (;;) {
    ws();
    if (p >= e || b[p] !== Q) fail(); // String(non-string) is left to the full path
    scanString();
    out.push(strValue());
    ws();
    if (p >= e) fail();
    const c = b[p++];
    if (c === 93) return out;
    if (c !== 44) fail();
  }
}

// Fields of the row being scanned (reset per row).
let fId: string | undefined;
let fName: string | undefined;
let fType: string | undefined;
let seenTop = 0;
let seenProps = 0;
let rdId: string | undefined;
let rdIdN = 0;
let rdRid: string | undefined;
let rdRidN = 0;
let adRid: string | undefined;
let pDisplayName: string | undefined;
let status: {
  code: string | undefined;
  cause: string | undefined;
  description: string | undefined;
  firstEvaluationDate: string | undefined;
  statusChangeDate: string | undefined;
  seen: number;
};
let meta: {
  displayName: string | undefined;
  severity: string | undefined;
  policyDefinitionId: string | undefined;
  categories: string[] | undefined;
  threats: string[] | undefined;
  userImpact: string | undefined;
  implementationEffort: string | undefined;
  description: string | undefined;
  remediationDescription: string | undefined;
  seen: number;
};

/** Marks a field seen; a repeated field declines (JSON.parse keeps the last, key order the first). */
function once(seen: number, bit: number): number {
  if (seen & bit) fail();
  return seen | bit;
}

function topKey(len: number): void {
  // Keys that make the full path read the row as an Activity Log event: decline.
  if (len === 11 && (keyIs("eventDataId") || keyIs("EventDataId"))) fail();
  if (len === 13 && keyIs("operationName")) fail();
  if (len === 14 && keyIs("eventTimestamp")) fail();
  if (len === 18 && keyIs("OperationNameValue")) fail();
  if (len === 2 && keyIs("id")) {
    seenTop = once(seenTop, 1);
    ws();
    if (p >= e || b[p] !== Q) fail();
    scanString();
    fId = strValue();
  } else if (len === 4 && keyIs("name")) {
    seenTop = once(seenTop, 2);
    fName = optString();
  } else if (len === 4 && keyIs("type")) {
    seenTop = once(seenTop, 4);
    ws();
    if (p >= e || b[p] !== Q) fail();
    scanString();
    if (sEsc || !keyIsCi("microsoft.security/assessments")) fail();
    fType = "assessment";
  } else if (len === 10 && keyIs("properties")) {
    seenTop = once(seenTop, 8);
    if (!atObject()) fail(); // the full path rejects it: let it say so
    members(propKey);
  } else skipValue();
}

function propKey(len: number): void {
  if (len === 15 && keyIs("resourceDetails")) {
    seenProps = once(seenProps, 1);
    if (atObject()) members(detailsKey);
    else skipValue();
  } else if (len === 14 && keyIs("additionalData")) {
    seenProps = once(seenProps, 2);
    if (atObject()) members(additionalKey);
    else skipValue();
  } else if (len === 11 && keyIs("displayName")) {
    seenProps = once(seenProps, 4);
    pDisplayName = optString();
  } else if (len === 6 && keyIs("status")) {
    seenProps = once(seenProps, 8);
    if (atObject()) members(statusKey);
    else skipValue();
  } else if (len === 8 && keyIs("metadata")) {
    seenProps = once(seenProps, 16);
    if (atObject()) members(metaKey);
    else skipValue();
  } else skipValue();
}

function additionalKey(len: number): void {
  if (len === 15 && keyIs("AzureResourceId")) {
    if (adRid !== undefined) fail();
    adRid = optString();
    if (adRid === undefined) fail(); // null: keep it simple, full path
  } else skipValue();
}

function detailsKey(len: number): void {
  // `ci(details, "Id")`: the exact key if present, else the first key equal ignoring case. With a single
  // case-insensitive match both are the same key; several matches decline.
  if (len === 2 && keyIsCi("id")) {
    if (++rdIdN > 1) fail();
    rdId = optString();
  } else if (len === 10 && keyIsCi("resourceid")) {
    if (++rdRidN > 1) fail();
    rdRid = optString();
  } else skipValue();
}

function statusKey(len: number): void {
  const s = status;
  if (len === 4 && keyIs("code")) {
    s.seen = once(s.seen, 1);
    s.code = enumString(STATUS_WORDS);
  } else if (len === 5 && keyIs("cause")) {
    s.seen = once(s.seen, 2);
    s.cause = optString();
  } else if (len === 11 && keyIs("description")) {
    s.seen = once(s.seen, 4);
    s.description = optString();
  } else if (len === 19 && keyIs("firstEvaluationDate")) {
    s.seen = once(s.seen, 8);
    s.firstEvaluationDate = optString();
  } else if (len === 16 && keyIs("statusChangeDate")) {
    s.seen = once(s.seen, 16);
    s.statusChangeDate = optString();
  } else skipValue();
}

function metaKey(len: number): void {
  const m = meta;
  if (len === 11 && keyIs("displayName")) {
    m.seen = once(m.seen, 1);
    m.displayName = optString();
  } else if (len === 8 && keyIs("severity")) {
    m.seen = once(m.seen, 2);
    m.severity = enumString(SEVERITY_WORDS);
  } else if (len === 18 && keyIs("policyDefinitionId")) {
    m.seen = once(m.seen, 4);
    m.policyDefinitionId = optString();
  } else if (len === 10 && keyIs("categories")) {
    m.seen = once(m.seen, 8);
    m.categories = optStringArray();
  } else if (len === 7 && keyIs("threats")) {
    m.seen = once(m.seen, 16);
    m.threats = optStringArray();
  } else if (len === 10 && keyIs("userImpact")) {
    m.seen = once(m.seen, 32);
    m.userImpact = optString();
  } else if (len === 20 && keyIs("implementationEffort")) {
    m.seen = once(m.seen, 64);
    m.implementationEffort = optString();
  } else if (len === 11 && keyIs("description")) {
    m.seen = once(m.seen, 128);
    m.description = optString();
  } else if (len === 22 && keyIs("remediationDescription")) {
    m.seen = once(m.seen, 256);
    m.remediationDescription = optString();
  } else skipValue();
}

function statusOf(v: string): Assessment["status"] | undefined {
  const s = v.toLowerCase();
  return s === "healthy" ? "Healthy" : s === "unhealthy" ? "Unhealthy" : s === "notapplicable" ? "NotApplicable" : undefined;
}
function severityOf(v: string): Assessment["severity"] {
  const s = v.toLowerCase();
  return s === "high" ? "High" : s === "medium" ? "Medium" : s === "low" ? "Low" : undefined;
}
const SUFFIX = "/providers/Microsoft.Security/assessments/";

function scanRow(): Assessment | undefined {
  fId = fName = fType = undefined;
  seenTop = seenProps = 0;
  rdId = rdRid = adRid = pDisplayName = undefined;
  rdIdN = rdRidN = 0;
  status = {
    code: undefined,
    cause: undefined,
    description: undefined,
    firstEvaluationDate: undefined,
    statusChangeDate: undefined,
    seen: 0,
  };
  meta = {
    displayName: undefined,
    severity: undefined,
    policyDefinitionId: undefined,
    categories: undefined,
    threats: undefined,
    userImpact: undefined,
    implementationEffort: undefined,
    description: undefined,
    remediationDescription: undefined,
    seen: 0,
  };
  ws();
  if (p >= e || b[p] !== 123) return undefined;
  members(topKey);
  ws();
  if (p !== e) return undefined; // trailing bytes: JSON.parse refuses
  const id = fId as string | undefined;
  if ((fType as string | undefined) === undefined || !id || !(seenTop & 8)) return undefined;
  const st = status.code === undefined ? undefined : statusOf(status.code);
  if (st === undefined) return undefined;
  const key = fName ?? id.split("/").pop();
  const resourceId = rdIdN ? rdId : undefined;
  const rid = resourceId ?? (rdRidN ? rdRid : undefined) ?? adRid ?? id.split(SUFFIX)[0];
  if (!key || !rid) return undefined;
  const m = meta;
  const s = status;
  return {
    id,
    assessmentKey: key,
    resourceId: rid,
    displayName: pDisplayName ?? m.displayName ?? "",
    status: st,
    cause: s.cause,
    statusDescription: s.description,
    firstEvaluationDate: s.firstEvaluationDate,
    statusChangeDate: s.statusChangeDate,
    severity: m.severity === undefined ? undefined : severityOf(m.severity),
    policyDefinitionId: m.policyDefinitionId,
    categories: m.categories,
    threats: m.threats,
    userImpact: m.userImpact,
    implementationEffort: m.implementationEffort,
    description: m.description,
    remediationDescription: m.remediationDescription,
  };
}
