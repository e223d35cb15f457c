import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "vitest";
import { openStore } from "../store/open-store";
import { pgTestSchema, pgUnavailable } from "../store/postgres-testing";
import type { Store } from "../store/store";

/**
 * For tests of the governance features (workflow, delivery, compliance): the same suite runs on SQLite and on
 * PostgreSQL (as src/store/store-contract.test.ts does). Every `open()` is a fresh database: a temporary SQLite
 * file, or a throw-away PostgreSQL schema (`?schema=`). PostgreSQL is left out, with a visible warning, when the
 * server (CLARION_TEST_PG, default 127.0.0.1:5432) is not reachable.
 */
export interface TestBackend {
  name: "sqlite" | "postgres";
  /** A fresh, migrated, empty store. */
  open(): Promise<Store>;
  /** What `--db` takes to reach the database behind `store` (the SQLite file, or the postgres:// URL with its schema). */
  locator(store: Store): string;
  /** Another connection to the database behind `store` (a second process, as far as the database can tell). */
  reopen(store: Store): Promise<Store>;
  /** Closes every store opened here and drops their databases. */
  cleanup(): Promise<void>;
}

export const PG_SKIP_REASON = await pgUnavailable();

function sqliteBackend(): TestBackend {
  const dir = mkdtempSync(join(tmpdir(), "clarion-wf-sqlite-"));
  const opened: Store[] = [];
  const files = new Map<Store, string>();
  let n = 0;
  const track = (s: Store, file: string) => {
    opened.push(s);
    files.set(s, file);
    return s;
  };
  return {
    name: "sqlite",
    async open() {
      const file = join(dir, `db${++n}.db`);
      return track(await openStore(file), file);
    },
    locator(store) {
      const file = files.get(store);
      if (!file) throw new Error("locator: not a store opened by this backend");
      return file;
    },
    async reopen(store) {
      const file = files.get(store);
      if (!file) throw new Error("reopen: not a store opened by this backend");
      return track(await openStore(file), file);
    },
    async cleanup() {
      for (const s of opened.splice(0)) await s.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresBackend(label: string): TestBackend {
  const opened: Store[] = [];
  const urls = new Map<Store, string>();
  const drops: (() => Promise<void>)[] = [];
  const track = (s: Store, url: string) => {
    opened.push(s);
    urls.set(s, url);
    return s;
  };
  return {
    name: "postgres",
    async open() {
      const t = await pgTestSchema(label);
      if (!t) throw new Error("PostgreSQL went away");
      drops.push(t.drop);
      return track(await openStore(t.url), t.url);
    },
    locator(store) {
      const url = urls.get(store);
      if (!url) throw new Error("locator: not a store opened by this backend");
      return url;
    },
    async reopen(store) {
      const url = urls.get(store);
      if (!url) throw new Error("reopen: not a store opened by this backend");
      return track(await openStore(url), url);
    },
    async cleanup() {
      for (const s of opened.splice(0)) await s.close().catch(() => {});
      for (const drop of drops.splice(0)) await drop().catch(() => {});
    },
  };
}

/** SQLite always; PostgreSQL when reachable. `label` names the throw-away schemas (clarion_<label>_…). Call it while a test file is collected. */
export function testBackends(label: string): TestBackend[] {
  if (PG_SKIP_REASON) {
    console.warn(`[${label}] SKIPPING the PostgreSQL backend: ${PG_SKIP_REASON}`);
    // Also in the test counts, as a skipped test, so a run without PostgreSQL cannot pass for a full one.
    describe.skip(`${label}: PostgreSQL backend skipped: ${PG_SKIP_REASON}`, () => it("needs PostgreSQL", () => {}));
  }
  return [sqliteBackend(), ...(PG_SKIP_REASON ? [] : [postgresBackend(label)])];
}
