/**
 * Splits the elements of a JSON array out of a text without parsing the whole document, so one bad or
 * truncated element does not lose the others. Returns each element's text and the line it starts on.
 */
export interface ScannedElement {
  text: string;
  line: number;
}

export interface ScanResult {
  elements: ScannedElement[];
  /** Set when the array never closed (a truncated file); the partial last element is reported here. */
  truncated?: { line: number };
}

/** `start` is the index of the array's opening `[`. */
export function scanJsonArray(text: string, start: number): ScanResult {
  const elements: ScannedElement[] = [];
  let line = 1;
  for (let i = 0; i < start; i++) if (text.charCodeAt(i) === 10) line++;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let elemStart = -1;
  let elemLine = line;
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === "\n") line++;
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      if (elemStart < 0) {
        elemStart = i;
        elemLine = line;
      }
      continue;
    }
    if (depth === 0 && (c === "," || c === "]")) {
      if (elemStart >= 0) elements.push({ text: text.slice(elemStart, i), line: elemLine });
      elemStart = -1;
      if (c === "]") return { elements };
      continue;
    }
    if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") depth--;
    if (elemStart < 0 && !/\s/.test(c)) {
      elemStart = i;
      elemLine = line;
    }
  }
  return { elements, truncated: { line: elemStart >= 0 ? elemLine : line } };
}

/** Finds the `[` that opens the array under a top-level key (e.g. `data`, `value`), or -1. */
export function findTopLevelArray(text: string, key: string): number {
  const re = new RegExp(`"${key}"\\s*:\\s*\\[`, "g");
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') {
        inString = false;
      }
      continue;
    }
    if (c === '"') {
      if (depth === 1) {
        re.lastIndex = i;
        const m = re.exec(text);
        if (m && m.index === i) return i + m[0].length - 1;
      }
      inString = true;
      continue;
    }
    if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") depth--;
  }
  return -1;
}

/** Line number (1-based) of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
