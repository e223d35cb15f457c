/**
 * `like` and `match` in linear time, without regular expressions, so hostile patterns or values cannot
 * make the engine backtrack. Both matchers are compiled once per pattern.
 */

/**
 * Compiles a `like` pattern (`*` = any run of characters, case-insensitive). Azure documents at most one
 * `*`; more are accepted and matched greedily segment by segment (leftmost match of each literal segment is
 * optimal for `*`-only globs), each segment found with KMP so the whole test is O(|value| + |pattern|).
 */
export function compileLike(pattern: string): (value: string) => boolean {
  const p = pattern.toLowerCase();
  const parts = p.split("*");
  if (parts.length === 1) return (v) => v.length === p.length && v.toLowerCase() === p;
  const head = parts[0];
  const tail = parts[parts.length - 1];
  const middle = parts.slice(1, -1).filter((s) => s.length > 0);
  const minLen = head.length + tail.length + middle.reduce((n, s) => n + s.length, 0);
  if (middle.length === 0) {
    return (v) => {
      if (v.length < minLen) return false;
      const s = v.toLowerCase();
      return s.startsWith(head) && s.endsWith(tail);
    };
  }
  const tables = middle.map(kmpTable);
  return (v) => {
    if (v.length < minLen) return false;
    const s = v.toLowerCase();
    if (!s.startsWith(head) || !s.endsWith(tail)) return false;
    let from = head.length;
    const end = s.length - tail.length;
    for (let i = 0; i < middle.length; i++) {
      const at = kmpFind(s, middle[i], tables[i], from, end);
      if (at < 0) return false;
      from = at + middle[i].length;
    }
    return true;
  };
}

function kmpTable(w: string): Int32Array {
  const t = new Int32Array(w.length + 1);
  t[0] = -1;
  let k = -1;
  for (let i = 0; i < w.length; i++) {
    while (k >= 0 && w[k] !== w[i]) k = t[k];
    k++;
    t[i + 1] = w[i + 1] === w[k] ? t[k] : k;
  }
  return t;
}

/** First index >= from where `w` occurs entirely before `end`, or -1. Linear in (end - from) + |w|. */
function kmpFind(s: string, w: string, t: Int32Array, from: number, end: number): number {
  let k = 0;
  for (let j = from; j < end; ) {
    if (w[k] === s[j]) {
      j++;
      k++;
      if (k === w.length) return j - k;
    } else {
      k = t[k];
      if (k < 0) {
        j++;
        k = 0;
      }
    }
  }
  return -1;
}

/**
 * Compiles a `match` pattern: `#` a digit, `?` a letter, `.` any character, anything else itself; the whole
 * value must match, so the test is one pass over equal-length strings. `insensitive` for matchInsensitively.
 */
export function compileMatch(pattern: string, insensitive: boolean): (value: string) => boolean {
  const p = insensitive ? pattern.toLowerCase() : pattern;
  const n = p.length;
  return (value) => {
    if (value.length !== n) return false;
    const v = insensitive ? value.toLowerCase() : value;
    for (let i = 0; i < n; i++) {
      const pc = p.charCodeAt(i);
      const c = v.charCodeAt(i);
      if (pc === 35 /* # */) {
        if (c < 48 || c > 57) return false;
      } else if (pc === 63 /* ? */) {
        if (!isLetter(v[i])) return false;
      } else if (pc !== 46 /* . */ && pc !== c) return false;
    }
    return true;
  };
}

function isLetter(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) return true;
  return c > 127 && ch.toLowerCase() !== ch.toUpperCase();
}
