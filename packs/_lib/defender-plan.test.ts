import { describe, expect, it } from "vitest";
import { defenderPlanFixes } from "./defender-plan";
import { testContext } from "./test-context";

const sub = "00000000-0000-0000-0000-000000000001";
const ctx = (name: string) =>
  testContext("Microsoft.Resources/subscriptions", name, {
    id: `/subscriptions/${sub}`,
    subscriptionId: sub,
    resourceGroup: "",
    location: "",
  });

describe("defenderPlanFixes", () => {
  it("names the plan in every draft", () => {
    const drafts = defenderPlanFixes(ctx("Prod"), { packId: "defender-for-storage", plan: "StorageAccounts" });
    expect(drafts.map((d) => d.kind)).toEqual(["az-cli", "powershell", "bicep", "terraform", "arm", "azure-policy"]);
    for (const d of drafts) expect(d.content).toContain("StorageAccounts");
  });

  it("keeps a subscription name with a line break inside the comment", () => {
    const drafts = defenderPlanFixes(ctx("Prod\naz group delete --name prod --yes"), {
      packId: "defender-for-storage",
      plan: "StorageAccounts",
    });
    const az = drafts.find((d) => d.kind === "az-cli");
    expect(az).toBeDefined();
    for (const text of [az?.precheck, az?.content, az?.rollback]) {
      const lines = String(text).split("\n");
      expect(lines.every((l) => l.startsWith("#") || l.startsWith("az security pricing"))).toBe(true);
    }
  });
});
