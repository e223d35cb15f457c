import { describe, expect, it } from "vitest";
import { SqliteStore } from "../store/sqlite-store";
import { SqliteApprovalRepo, StoreApprovalRepo } from "./repo";
import type { Approval } from "./model";

const approval = (id: string): Approval =>
  ({
    id,
    findingId: "F-1",
    state: "draft",
    scope: "/subscriptions/s",
    author: "ana",
    createdAt: "t1",
    updatedAt: "t1",
    history: [],
    approvals: [],
  }) as unknown as Approval;

describe("SqliteApprovalRepo (deprecated: a bare better-sqlite3 handle)", () => {
  it("reads and writes the same tables as StoreApprovalRepo, records its migrations once, and refuses stale writes", async () => {
    const store = new SqliteStore(":memory:");
    await store.migrate();
    const legacy = new SqliteApprovalRepo(store.db);
    expect(await legacy.save(approval("A-1"), undefined, [{ idempotencyKey: "k1", sink: "teams", topic: "t", payload: {} }])).toBe(1);
    const modern = new StoreApprovalRepo(store);
    expect((await modern.get("A-1"))?.revision).toBe(1);
    expect(await modern.save({ ...approval("A-1"), state: "pending-review" }, 1)).toBe(2);
    await expect(legacy.save(approval("A-1"), 1)).rejects.toMatchObject({ code: "CONFLICT" });
    expect((await legacy.list({ state: "pending-review" })).map((a) => a.id)).toEqual(["A-1"]);
    const versions = await store.query<{ feature: string; n: number }>(
      "SELECT feature, count(*) AS n FROM feature_migrations WHERE feature IN ('workflow', 'delivery') GROUP BY feature ORDER BY feature",
    );
    expect(versions).toEqual([
      { feature: "delivery", n: 1 },
      { feature: "workflow", n: 1 },
    ]);
    await store.close();
  });
});
