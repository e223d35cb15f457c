import { setTimeout as sleep } from "node:timers/promises";
import type { CompletionRequest, CompletionResult, LlmProvider } from "../ai/provider";
import { countMessageTokens } from "../ai/provider";
import type { SqlRunner, Store } from "../store/store";
import { migrateWorker } from "./schema";

/**
 * A token bucket kept in the database, so every worker draws from one budget (LLM tokens per minute).
 * Each `acquire` is one short transaction that refills the bucket by the elapsed time, then takes the
 * tokens or computes how long to wait. On PostgreSQL the `UPDATE … WHERE name = ?` row lock serializes
 * workers and the clock is the server's, so workers on machines with skewed clocks still share one rate.
 */
export interface TokenBucketOptions {
  name: string;
  /** Tokens per minute; also the burst size (capacity). */
  tokensPerMinute: number;
  /** For tests: wait function (default: real sleep). */
  sleep?: (ms: number) => Promise<void>;
}

export class SharedTokenBucket {
  private ready: Promise<void> | undefined;
  /** Tokens granted and time spent waiting, for the worker's report. */
  readonly stats = { granted: 0, waits: 0, waitedMs: 0 };

  constructor(
    private readonly store: Store,
    private readonly opts: TokenBucketOptions,
  ) {}

  private get capacity(): number {
    return this.opts.tokensPerMinute;
  }

  private get perMs(): number {
    return this.opts.tokensPerMinute / 60_000;
  }

  private async init(): Promise<void> {
    this.ready ??= (async () => {
      await migrateWorker(this.store);
      const now = await this.now(this.store);
      await this.store.exec(
        "INSERT INTO worker_buckets (name, capacity, per_second, tokens, updated_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET capacity = excluded.capacity, per_second = excluded.per_second",
        [this.opts.name, this.capacity, this.perMs * 1000, this.capacity, now],
      );
    })();
    return this.ready;
  }

  private async now(q: SqlRunner): Promise<number> {
    if (this.store.kind !== "postgres") return Date.now();
    const [r] = await q.query<{ ms: number }>("SELECT (extract(epoch from clock_timestamp()) * 1000)::float8 AS ms");
    return r.ms;
  }

  /** Takes `n` tokens, waiting until the shared bucket holds them. A request above capacity takes a full bucket. */
  async acquire(n: number): Promise<void> {
    await this.init();
    const want = Math.min(Math.max(0, n), this.capacity);
    for (;;) {
      const wait = await this.store.transaction(async (tx) => {
        // Touch the row first: on PostgreSQL this takes the row lock before we read the balance.
        await tx.exec("UPDATE worker_buckets SET tokens = tokens WHERE name = ?", [this.opts.name]);
        const [b] = await tx.query<{ tokens: number; updated_ms: number }>("SELECT tokens, updated_ms FROM worker_buckets WHERE name = ?", [this.opts.name]);
        const now = await this.now(tx);
        const level = Math.min(this.capacity, b.tokens + Math.max(0, now - b.updated_ms) * this.perMs);
        if (level >= want) {
          await tx.exec("UPDATE worker_buckets SET tokens = ?, updated_ms = ? WHERE name = ?", [level - want, Math.max(now, b.updated_ms), this.opts.name]);
          return 0;
        }
        await tx.exec("UPDATE worker_buckets SET tokens = ?, updated_ms = ? WHERE name = ?", [level, Math.max(now, b.updated_ms), this.opts.name]);
        return Math.ceil((want - level) / this.perMs);
      });
      if (wait === 0) {
        this.stats.granted += want;
        return;
      }
      this.stats.waits++;
      this.stats.waitedMs += wait;
      await (this.opts.sleep ?? ((ms: number) => sleep(ms)))(Math.min(wait, 5000));
    }
  }
}

/**
 * Wraps a model provider so each call first takes its tokens (prompt + the output allowance) from the
 * shared bucket: the whole fleet of workers stays under the deployment's tokens-per-minute quota.
 */
export function rateLimitedProvider(inner: LlmProvider, bucket: SharedTokenBucket, maxOutputTokens = 800): LlmProvider {
  return {
    kind: inner.kind,
    model: inner.model,
    async complete(req: CompletionRequest): Promise<CompletionResult> {
      await bucket.acquire(countMessageTokens(req.messages) + (req.maxTokens ?? maxOutputTokens));
      return inner.complete(req);
    },
  };
}
