import type Database from "better-sqlite3";
import type { Store } from "../store/store";

/**
 * The AI layer's own tables, added to the SQLite store by a small idempotent migration (CREATE TABLE IF NOT
 * EXISTS) without touching src/store: the content-hash cache of validated narratives, feedback on
 * explanations and drafts, and per-run token usage. Other stores fall back to `getMeta/setMeta`.
 */
export interface FeedbackRecord {
  id?: number;
  subject: string;
  kind: "explanation" | "draft";
  vote: "up" | "down";
  comment: string | null;
  actor: string;
  time: string;
  engine: string | null;
  model: string | null;
  digest: string | null;
}

export interface UsageRecord {
  runTime: string;
  provider: string;
  model: string;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  cost: number;
  cacheHits: number;
}

export interface AiStore {
  cacheGet(key: string): Promise<string | undefined>;
  cachePut(key: string, value: string, model: string): Promise<void>;
  addFeedback(f: FeedbackRecord): Promise<FeedbackRecord>;
  listFeedback(): Promise<FeedbackRecord[]>;
  addUsage(u: UsageRecord): Promise<void>;
  lastUsage(provider: string): Promise<UsageRecord | undefined>;
}

const MIGRATION = `
CREATE TABLE IF NOT EXISTS ai_cache (key TEXT PRIMARY KEY, value TEXT NOT NULL, model TEXT, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ai_feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, subject TEXT NOT NULL, kind TEXT NOT NULL, vote TEXT NOT NULL, comment TEXT, actor TEXT NOT NULL, time TEXT NOT NULL, engine TEXT, model TEXT, digest TEXT);
CREATE INDEX IF NOT EXISTS ai_feedback_subject ON ai_feedback(subject);
CREATE TABLE IF NOT EXISTS ai_usage (id INTEGER PRIMARY KEY AUTOINCREMENT, run_time TEXT NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL, calls INTEGER, prompt_tokens INTEGER, completion_tokens INTEGER, cost REAL, cache_hits INTEGER);
`;

/** Runs the AI tables' migration on a SQLite database (idempotent). */
export function migrateAiTables(db: Database.Database): void {
  db.exec(MIGRATION);
}

export function aiStoreFor(store: Store): AiStore {
  const db = (store as unknown as { db?: Database.Database }).db;
  if (store.kind === "sqlite" && db) return sqliteAiStore(db);
  return metaAiStore(store);
}

function sqliteAiStore(db: Database.Database): AiStore {
  migrateAiTables(db);
  const get = db.prepare("SELECT value FROM ai_cache WHERE key = ?").pluck();
  const put = db.prepare("INSERT OR REPLACE INTO ai_cache (key, value, model, created) VALUES (?, ?, ?, ?)");
  const addFb = db.prepare(
    "INSERT INTO ai_feedback (subject, kind, vote, comment, actor, time, engine, model, digest) VALUES (@subject, @kind, @vote, @comment, @actor, @time, @engine, @model, @digest)",
  );
  const rowToUsage = (r: Record<string, unknown>): UsageRecord => ({
    runTime: r.run_time as string,
    provider: r.provider as string,
    model: r.model as string,
    calls: r.calls as number,
    promptTokens: r.prompt_tokens as number,
    completionTokens: r.completion_tokens as number,
    cost: r.cost as number,
    cacheHits: r.cache_hits as number,
  });
  return {
    async cacheGet(key) {
      return get.get(key) as string | undefined;
    },
    async cachePut(key, value, model) {
      put.run(key, value, model, new Date().toISOString());
    },
    async addFeedback(f) {
      const r = addFb.run({ ...f });
      return { ...f, id: Number(r.lastInsertRowid) };
    },
    async listFeedback() {
      return (db.prepare("SELECT * FROM ai_feedback ORDER BY id").all() as FeedbackRecord[]).map((r) => ({ ...r }));
    },
    async addUsage(u) {
      db.prepare(
        "INSERT INTO ai_usage (run_time, provider, model, calls, prompt_tokens, completion_tokens, cost, cache_hits) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      ).run(u.runTime, u.provider, u.model, u.calls, u.promptTokens, u.completionTokens, u.cost, u.cacheHits);
    },
    async lastUsage(provider) {
      const r = db.prepare("SELECT * FROM ai_usage WHERE provider = ? ORDER BY id DESC LIMIT 1").get(provider) as
        | Record<string, unknown>
        | undefined;
      return r ? rowToUsage(r) : undefined;
    },
  };
}

function metaAiStore(store: Store): AiStore {
  const list = async <T>(key: string): Promise<T[]> => JSON.parse((await store.getMeta(key)) ?? "[]") as T[];
  return {
    cacheGet: (key) => store.getMeta(`ai.cache.${key}`),
    cachePut: (key, value) => store.setMeta(`ai.cache.${key}`, value),
    async addFeedback(f) {
      const all = await list<FeedbackRecord>("ai.feedback");
      const rec = { ...f, id: all.length + 1 };
      all.push(rec);
      await store.setMeta("ai.feedback", JSON.stringify(all));
      return rec;
    },
    listFeedback: () => list<FeedbackRecord>("ai.feedback"),
    async addUsage(u) {
      await store.setMeta(`ai.usage.${u.provider}`, JSON.stringify(u));
    },
    async lastUsage(provider) {
      const v = await store.getMeta(`ai.usage.${provider}`);
      return v ? (JSON.parse(v) as UsageRecord) : undefined;
    },
  };
}

/** An in-memory AiStore (benchmarks, tests). */
export function memoryAiStore(): AiStore & { cache: Map<string, string> } {
  const cache = new Map<string, string>();
  const feedback: FeedbackRecord[] = [];
  const usage: UsageRecord[] = [];
  return {
    cache,
    async cacheGet(k) {
      return cache.get(k);
    },
    async cachePut(k, v) {
      cache.set(k, v);
    },
    async addFeedback(f) {
      const rec = { ...f, id: feedback.length + 1 };
      feedback.push(rec);
      return rec;
    },
    async listFeedback() {
      return [...feedback];
    },
    async addUsage(u) {
      usage.push(u);
    },
    async lastUsage(p) {
      return [...usage].reverse().find((u) => u.provider === p);
    },
  };
}
