import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * For tests: a throw-away schema on the PostgreSQL server named by CLARION_TEST_PG (default
 * postgres://postgres@127.0.0.1:5432/postgres). `undefined` when the server cannot be reached, so tests
 * skip with a visible message instead of failing on a machine without PostgreSQL.
 */
export interface PgTestSchema {
  /** The store URL (`…?schema=NAME`). */
  url: string;
  schema: string;
  /** Connection string without the schema parameter (for pg-boss or raw clients). */
  base: string;
  /** Drops the schema and everything in it (and any `<schema>_*` schemas, e.g. pg-boss's). */
  drop(): Promise<void>;
}

export const PG_TEST_BASE = process.env.CLARION_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/postgres";

let reachable: Promise<string | undefined> | undefined;

/** Why PostgreSQL is unusable here, or undefined when it answers. Checked once per process. */
export function pgUnavailable(): Promise<string | undefined> {
  reachable ??= (async () => {
    const c = new pg.Client({ connectionString: PG_TEST_BASE, connectionTimeoutMillis: 2000 });
    try {
      await c.connect();
      await c.query("SELECT 1");
      return undefined;
    } catch (e) {
      return `PostgreSQL not reachable at ${PG_TEST_BASE} (${(e as Error).message}); set CLARION_TEST_PG or start it (.ci/run does)`;
    } finally {
      await c.end().catch(() => {});
    }
  })();
  return reachable;
}

export async function pgTestSchema(label = "t"): Promise<PgTestSchema | undefined> {
  if (await pgUnavailable()) return undefined;
  const schema = `clarion_${label}_${process.pid}_${randomBytes(3).toString("hex")}`.toLowerCase();
  const sep = PG_TEST_BASE.includes("?") ? "&" : "?";
  return {
    url: `${PG_TEST_BASE}${sep}schema=${schema}`,
    schema,
    base: PG_TEST_BASE,
    async drop() {
      const c = new pg.Client({ connectionString: PG_TEST_BASE });
      await c.connect();
      try {
        const { rows } = await c.query("SELECT nspname FROM pg_namespace WHERE nspname = $1 OR nspname LIKE $2", [schema, `${schema}\\_%`]);
        for (const r of rows) await c.query(`DROP SCHEMA IF EXISTS "${r.nspname}" CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}
