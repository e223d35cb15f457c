import { describe, expect, it } from "vitest";
import { EstateIndex, normalizeEnvironment } from "./context";
import { resolveEnvironment, resolveOwner } from "./enrich";
import { emptyTenant } from "./normalize";

const sub = { id: "/subscriptions/s1", name: "s1", type: "microsoft.resources/subscriptions", subscriptionId: "s1", tags: { Environment: "Prod", owner: "platform@x.example" }, properties: { displayName: "Prod sub" } };
const rg = (name: string, tags: Record<string, string>) => ({ id: `/subscriptions/s1/resourceGroups/${name}`, name, type: "microsoft.resources/subscriptions/resourcegroups", subscriptionId: "s1", resourceGroup: name, tags });
const res = (name: string, group: string, tags: Record<string, string> = {}) => ({ id: `/subscriptions/s1/resourceGroups/${group}/providers/Microsoft.KeyVault/vaults/${name}`, name, type: "microsoft.keyvault/vaults", subscriptionId: "s1", resourceGroup: group, tags });

function index(extra: any[] = [], activity: any[] = []) {
  const t = emptyTenant();
  t.resources.push(sub as any, rg("rg-a", { OWNER: "team-a@x.example", env: "dev" }) as any, rg("rg-b", {}) as any, ...extra);
  t.activity.push(...activity);
  return new EstateIndex(t);
}

describe("environment and owner resolution", () => {
  it("normalizes the spellings people use", () => {
    expect(["Production", "prod", "PRD", "live"].map(normalizeEnvironment)).toEqual(["production", "production", "production", "production"]);
    expect(["Dev", "development", "sandbox"].map(normalizeEnvironment)).toEqual(["development", "development", "development"]);
    expect(normalizeEnvironment("banana")).toBe("unknown");
  });

  it("prefers the resource tag, then the group, then the subscription, recording the source", () => {
    const own = res("kv1", "rg-a", { "Owner-Email": "alice@x.example", Environment: "PRD" });
    const viaRg = res("kv2", "rg-a");
    const viaSub = res("kv3", "rg-b");
    const idx = index([own, viaRg, viaSub]);
    expect(resolveOwner(idx, own as any).owner).toEqual({ name: "alice@x.example", email: "alice@x.example", source: "resource-tag" });
    expect(resolveOwner(idx, viaRg as any).owner.source).toBe("resource-group-tag");
    expect(resolveOwner(idx, viaSub as any).owner).toMatchObject({ name: "platform@x.example", source: "subscription-tag" });
    expect(resolveEnvironment(idx, own as any).env).toBe("production");
    expect(resolveEnvironment(idx, viaRg as any)).toMatchObject({ env: "development", fact: { source: expect.stringContaining("resource group rg-a") } });
    expect(resolveEnvironment(idx, viaSub as any).env).toBe("production");
  });

  it("falls back to the last changer, then unknown", () => {
    const orphan = { ...res("kv4", "rg-x"), subscriptionId: "s2", id: "/subscriptions/s2/resourceGroups/rg-x/providers/Microsoft.KeyVault/vaults/kv4" };
    const idx = index([orphan], [{ eventId: "e", correlationId: "c", time: "2026-11-01T00:00:00Z", caller: "bob@x.example", operationName: "Microsoft.KeyVault/vaults/write", resourceId: orphan.id, status: "Succeeded", category: "Administrative", level: "Informational" }]);
    expect(resolveOwner(idx, orphan as any).owner).toEqual({ name: "bob@x.example", email: "bob@x.example", source: "last-changer" });
    expect(resolveOwner(index([orphan]), orphan as any).owner.source).toBe("unknown");
  });
});
