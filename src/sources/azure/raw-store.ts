import { createHash } from "node:crypto";
import type { Store } from "../../store/store";

/**
 * The raw tenant kept in the store between syncs, through the Store port's meta key/value only:
 *
 *   azure.raw.row.<table>.<id>  -> {"h": content hash, "g": generation, "s": segment, "d": the row}
 *   azure.raw.seg.<table>.<n>   -> ["<id>", ...]   (an append-only id index, SEGMENT ids per key)
 *   azure.raw.tab.<table>       -> {"segs": n}
 *
 * An update touches one key; an insert one row and one segment; so an incremental sync costs O(changes),
 * not O(tenant). Writes are ordered (segment before row) and reads tolerate a crash between them: an id in
 * a segment without a row is skipped, duplicates are ignored. A row deleted is set to "" (the port has no
 * delete). `g` lets a full sync sweep rows it did not see.
 */
const P = "azure.raw";
const SEGMENT = 512;

export interface StoredRow {
  h: string;
  g: number;
  s: number;
  d: Record<string, unknown>;
}

export function rowHash(row: unknown): string {
  return createHash("sha256").update(stableJson(row)).digest("base64url").slice(0, 22);
}

export function stableJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
    .join(",")}}`;
}

export const idKey = (id: string) => id.toLowerCase();

export interface UpsertResult {
  added: number;
  changed: number;
  unchanged: number;
}

export class MetaRawStore {
  private lastSeg = new Map<string, { n: number; ids: string[] }>();
  constructor(readonly store: Store) {}

  private async tab(table: string): Promise<{ segs: number }> {
    const v = await this.store.getMeta(`${P}.tab.${table}`);
    return v ? JSON.parse(v) : { segs: 0 };
  }

  private async seg(table: string, n: number): Promise<string[]> {
    const v = await this.store.getMeta(`${P}.seg.${table}.${n}`);
    return v ? JSON.parse(v) : [];
  }

  async get(table: string, id: string): Promise<StoredRow | undefined> {
    const v = await this.store.getMeta(`${P}.row.${table}.${idKey(id)}`);
    return v ? JSON.parse(v) : undefined;
  }

  /** Inserts or updates rows (keyed by lower-cased `id`), stamping generation `gen`. */
  async upsert(table: string, rows: Record<string, unknown>[], gen: number, keyOf: (r: Record<string, unknown>) => string = (r) => String(r.id)): Promise<UpsertResult> {
    const out: UpsertResult = { added: 0, changed: 0, unchanged: 0 };
    for (const d of rows) {
      const k = idKey(keyOf(d));
      const h = rowHash(d);
      const prev = await this.get(table, k);
      if (prev) {
        if (prev.h === h && prev.g >= gen) {
          out.unchanged++;
          continue;
        }
        if (prev.h === h) out.unchanged++;
        else out.changed++;
        await this.store.setMeta(`${P}.row.${table}.${k}`, JSON.stringify({ h, g: gen, s: prev.s, d }));
        continue;
      }
      const s = await this.appendId(table, k);
      await this.store.setMeta(`${P}.row.${table}.${k}`, JSON.stringify({ h, g: gen, s, d }));
      out.added++;
    }
    return out;
  }

  private async appendId(table: string, k: string): Promise<number> {
    let last = this.lastSeg.get(table);
    if (!last) {
      const t = await this.tab(table);
      const n = Math.max(0, t.segs - 1);
      last = { n, ids: t.segs ? await this.seg(table, n) : [] };
      if (!t.segs) await this.store.setMeta(`${P}.tab.${table}`, JSON.stringify({ segs: 1 }));
    }
    if (last.ids.length >= SEGMENT) {
      last = { n: last.n + 1, ids: [] };
      await this.store.setMeta(`${P}.tab.${table}`, JSON.stringify({ segs: last.n + 1 }));
    }
    if (!last.ids.includes(k)) last.ids.push(k);
    await this.store.setMeta(`${P}.seg.${table}.${last.n}`, JSON.stringify(last.ids));
    this.lastSeg.set(table, last);
    return last.n;
  }

  /** Removes rows by id. Returns how many existed. */
  async remove(table: string, ids: string[]): Promise<number> {
    let n = 0;
    const touched = new Map<number, string[]>();
    for (const id of ids) {
      const k = idKey(id);
      const prev = await this.get(table, k);
      if (!prev) continue;
      const seg = touched.get(prev.s) ?? (await this.seg(table, prev.s));
      touched.set(
        prev.s,
        seg.filter((x) => x !== k),
      );
      await this.store.setMeta(`${P}.row.${table}.${k}`, "");
      n++;
    }
    for (const [s, seg] of touched) {
      await this.store.setMeta(`${P}.seg.${table}.${s}`, JSON.stringify(seg));
      const last = this.lastSeg.get(table);
      if (last && last.n === s) last.ids = seg;
    }
    return n;
  }

  /** Every id in the table's index (no row reads). */
  async ids(table: string): Promise<string[]> {
    const { segs } = await this.tab(table);
    const seen = new Set<string>();
    for (let s = 0; s < segs; s++) for (const k of await this.seg(table, s)) seen.add(k);
    return [...seen];
  }

  /** Every row of a table, sorted by id. */
  async list(table: string): Promise<StoredRow[]> {
    const out: StoredRow[] = [];
    for (const k of (await this.ids(table)).sort()) {
      const r = await this.get(table, k);
      if (r) out.push(r);
    }
    return out;
  }

  /** Deletes rows whose generation is older than `gen` (rows a full pass did not see). */
  async sweep(table: string, gen: number): Promise<number> {
    const stale = (await this.list(table)).filter((r) => r.g < gen).map((r) => String(r.d.id ?? ""));
    // Rows keyed by something other than `id` (activity) carry their key in `id` too; see keyOf in sync.
    return this.remove(table, stale);
  }

  async count(table: string): Promise<number> {
    return (await this.ids(table)).length;
  }
}
