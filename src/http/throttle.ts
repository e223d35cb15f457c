import type { PipelinePolicy, PipelineResponse } from "@azure/core-rest-pipeline";
import { parseTimeSpan, sleep } from "./retry";

export interface ThrottleOptions {
  /** Requests in flight at once through this pipeline (default 8). */
  maxConcurrency?: number;
  /** When an ARM `x-ms-ratelimit-remaining-*` header drops to this value or below, pause (default 5). */
  armLowWater?: number;
  /** The pause when ARM quota is low (default 1 s: the read bucket refills 25/s). */
  armLowWaterPauseMs?: number;
  /** Multiplies the Resource Graph quota reset wait by a random factor in [1, spread] (default 1.5). */
  quotaSpread?: number;
  random?: () => number;
}

/** A small counting semaphore. */
export class Semaphore {
  private active = 0;
  private readonly waiters: (() => void)[] = [];
  constructor(readonly limit: number) {}
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.active < this.limit) {
      this.active++;
      return () => this.release();
    }
    await new Promise<void>((resolve, reject) => {
      const w = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal?.reason ?? new Error("aborted"));
      };
      this.waiters.push(w);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
    this.active++;
    return () => this.release();
  }
  private release(): void {
    this.active--;
    const w = this.waiters.shift();
    if (w) w();
  }
  get inFlight(): number {
    return this.active;
  }
}

/**
 * Throttling policy: bounds concurrency and holds new requests back when the last response said the quota is
 * spent (Resource Graph `x-ms-user-quota-remaining: 0` + `x-ms-user-quota-resets-after`) or nearly spent
 * (ARM `x-ms-ratelimit-remaining-*`). Runs inside the retry policy, so a waiting retry does not hold a slot.
 */
export function throttlePolicy(opts: ThrottleOptions = {}): PipelinePolicy & { semaphore: Semaphore } {
  const sem = new Semaphore(Math.max(1, opts.maxConcurrency ?? 8));
  const low = opts.armLowWater ?? 5;
  const lowPause = opts.armLowWaterPauseMs ?? 1000;
  const spread = Math.max(1, opts.quotaSpread ?? 1.5);
  const random = opts.random ?? Math.random;
  let notBefore = 0;
  const observe = (res: PipelineResponse) => {
    const h = res.headers;
    const remaining = h.get("x-ms-user-quota-remaining");
    if (remaining !== undefined && Number(remaining) <= 0) {
      const reset = parseTimeSpan(h.get("x-ms-user-quota-resets-after")) ?? 1000;
      notBefore = Math.max(notBefore, Date.now() + Math.round(reset * (1 + random() * (spread - 1))));
    }
    for (const [name, value] of h) {
      if (!name.startsWith("x-ms-ratelimit-remaining-") || name === "x-ms-ratelimit-remaining-resource") continue;
      if (Number(value) <= low) notBefore = Math.max(notBefore, Date.now() + lowPause);
    }
  };
  return {
    name: "clarionThrottlePolicy",
    semaphore: sem,
    async sendRequest(request, next) {
      const signal = request.abortSignal as AbortSignal | undefined;
      const release = await sem.acquire(signal);
      try {
        const wait = notBefore - Date.now();
        if (wait > 0) await sleep(wait, signal);
        const res = await next(request);
        observe(res);
        return res;
      } finally {
        release();
      }
    },
  };
}
