import { describe, expect, it } from "vitest";
import { findingFor, SUB_DEV, SUB_PROD, storageAccount, TLS_POLICY } from "./test-fixtures";
import { suggestTuning, tuningSignals } from "./tuning";

const mk = (sub: string, name: string, env: string, rg?: string, exemption?: { category: string; justification: string }) => {
  const r = storageAccount(sub, name, "TLS1_0", env);
  if (rg) Object.assign(r, { resourceGroup: rg, id: r.id.replace(/rg-[a-z]+/, rg) });
  return findingFor(r, TLS_POLICY, {
    id: `F-${name}`,
    exemption: exemption ? { id: `x-${name}`, owner: "o", expiresOn: null, ...exemption } : null,
  });
};

describe("tuning suggestions", () => {
  it("suggests notScopes when exemptions cluster in one resource group, with the evidence", () => {
    const fs = [
      mk(SUB_PROD, "a", "prod", "rg-legacy", { category: "Waiver", justification: "vendor appliance needs TLS 1.0" }),
      mk(SUB_PROD, "b", "prod", "rg-legacy", { category: "Waiver", justification: "vendor appliance needs TLS 1.0" }),
      mk(SUB_PROD, "c", "prod", "rg-legacy"),
      mk(SUB_PROD, "d", "prod", "rg-web"),
    ];
    const s = suggestTuning(fs, tuningSignals(fs));
    expect(s).toHaveLength(1);
    expect(s[0].kind).toBe("scope");
    expect(s[0].change).toEqual({ properties: { notScopes: [`/subscriptions/${SUB_PROD}/resourceGroups/rg-legacy`] } });
    expect(s[0].evidence).toMatchObject({
      findingIds: ["F-a", "F-b"],
      signals: 2,
      ofFindings: 4,
      reasons: ["Waiver: vendor appliance needs TLS 1.0"],
    });
  });

  it("suggests a production-only effect when only non-production pushes back", () => {
    const fs = [
      mk(SUB_DEV, "d1", "dev", "rg-a"),
      mk(SUB_DEV, "d2", "dev", "rg-b"),
      mk(SUB_DEV, "d3", "dev", "rg-c"),
      mk(SUB_PROD, "p1", "prod", "rg-p"),
    ];
    const s = suggestTuning(
      fs,
      tuningSignals(
        fs,
        [],
        [
          { findingId: "F-d1", reason: "sandbox" },
          { findingId: "F-d2", reason: "sandbox" },
          { findingId: "F-d3", reason: "throwaway" },
        ],
      ),
    );
    expect(s.map((x) => x.kind)).toEqual(["parameter"]);
    expect(s[0].evidence.findingIds).toEqual(["F-d1", "F-d2", "F-d3"]);
  });

  it("stays quiet below the signal threshold or without a pattern", () => {
    const fs = [mk(SUB_PROD, "a", "prod", "rg-1", { category: "Waiver", justification: "x" }), mk(SUB_PROD, "b", "prod", "rg-2")];
    expect(suggestTuning(fs, tuningSignals(fs))).toEqual([]);
    const spread = [mk(SUB_PROD, "a", "prod", "rg-1"), mk(SUB_PROD, "b", "prod", "rg-2"), mk(SUB_PROD, "c", "prod", "rg-3")];
    expect(
      suggestTuning(
        spread,
        tuningSignals(
          spread,
          [],
          spread.map((f) => ({ findingId: f.id, reason: "no" })),
        ),
      ),
    ).toEqual([]);
  });
});
