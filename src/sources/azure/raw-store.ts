import { contentHashOfParsed } from "../../domain/stable-json";
import type { RawUpsertCounts, Store } from "../../store/store";

/**
 * The raw tenant kept in the store between syncs, in the store's `raw_rows` table (Store.raw* methods):
 * one row per (table, lower-cased id) with its content hash and the generation of the sync that last saw it.
 * Upserts go in one transaction per page, so an incremental sync costs O(changes); the generation lets a full
 * sync sweep the rows it did not see.
 */

export interface StoredRow {
  h: string;
  g: number;
  d: Record<string, unknown>;
}

/** Content hash of a raw row as parsed from a response (key order does not matter; equals `contentHash`). */
export const rowHash = contentHashOfParsed;

export const idKey = (id: string) => id.toLowerCase();

export class RawRowStore {
  constructor(readonly store: Store) {}

  /**
   * Inserts or updates rows (keyed by lower-cased `id`), stamping generation `gen`; the store compares hashes
   * in the same pass (Store.rawUpsert). A row repeated within one call is stored once and counted unchanged.
   */
  async upsert(table: string, rows: Record<string, unknown>[], gen: number, keyOf: (r: Record<string, unknown>) => string = (r) => String(r.id)): Promise<RawUpsertCounts> {
    const out = await this.store.rawUpsert(
      table,
      rows.map((d) => ({ id: idKey(keyOf(d)), hash: rowHash(d), gen, doc: d })),
    );
    return { ...out, unchanged: out.unchanged + rows.length - (out.added + out.changed + out.unchanged) };
  }

  /** Removes rows by id. Returns how many existed. */
  async remove(table: string, ids: string[]): Promise<number> {
    return this.store.rawDelete(table, ids.map(idKey));
  }

  /** Ids (lower-cased) that start with `prefix`, sorted: a key-range read, so the cost follows the matches. */
  async idsWithPrefix(table: string, prefix: string): Promise<string[]> {
    return this.store.rawIds(table, { prefix: idKey(prefix) });
  }

  /** Every row of a table, sorted by id. */
  async list(table: string): Promise<StoredRow[]> {
    return (await this.store.rawList(table)).map((r) => ({ h: r.hash, g: r.gen, d: r.doc }));
  }

  /** Deletes rows whose generation is older than `gen` (rows a full pass did not see). */
  async sweep(table: string, gen: number): Promise<number> {
    return this.store.rawSweep(table, gen);
  }
}
