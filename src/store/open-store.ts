import { existsSync } from "node:fs";
import { NotFoundError } from "../domain/errors";
import { SqliteStore } from "./sqlite-store";
import type { Store } from "./store";

export const DEFAULT_DB = "./clarion-out/clarion.db";

/**
 * Opens the store named by `--db`: a file path (SQLite) or, later, a `postgres://` URL.
 * `mustExist` is for read commands, so a typo does not silently create an empty database.
 */
export async function openStore(target: string = DEFAULT_DB, opts: { mustExist?: boolean } = {}): Promise<Store> {
  if (/^postgres(ql)?:\/\//i.test(target)) {
    const modPath = "./postgres-store";
    const mod = (await import(modPath).catch(() => undefined)) as { openPostgresStore?: (url: string) => Promise<Store> } | undefined;
    if (!mod?.openPostgresStore) throw new NotFoundError("PostgreSQL store is not available in this build");
    return mod.openPostgresStore(target);
  }
  if (opts.mustExist && target !== ":memory:" && !existsSync(target))
    throw new NotFoundError(`no Clarion database at ${target}`, {
      hint: "run `clarion demo` or `clarion run --input FILE` first, or pass --db FILE",
    });
  const store = new SqliteStore(target);
  await store.migrate();
  return store;
}
