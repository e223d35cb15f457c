import { describe, expect, it } from "vitest";
import { namespaceEvaluate, namespaceFixes } from "./messaging";
import { testContext } from "./test-context";

const ns = (type: string, properties: Record<string, unknown>) => testContext(type, "ns1", { properties });

describe("namespace builders", () => {
  it("checks each service's own resource type", () => {
    const eh = ns("Microsoft.EventHub/namespaces", { disableLocalAuth: false }).resource;
    expect(namespaceEvaluate(eh, "eventhub", "localAuth").result).toBe("noncompliant");
    expect(namespaceEvaluate(eh, "servicebus", "localAuth").result).toBe("notApplicable");
  });

  it("restores the previous public access value, quoted when it is not a plain word", () => {
    const plain = namespaceFixes(ns("Microsoft.ServiceBus/namespaces", { publicNetworkAccess: "SecuredByPerimeter" }), {
      packId: "x",
      service: "servicebus",
      setting: "publicNetwork",
    });
    expect(plain.find((d) => d.kind === "powershell")?.rollback).toMatch(/-PublicNetworkAccess SecuredByPerimeter$/);
    const odd = namespaceFixes(ns("Microsoft.ServiceBus/namespaces", { publicNetworkAccess: "Enabled; Remove-AzResourceGroup rg" }), {
      packId: "x",
      service: "servicebus",
      setting: "publicNetwork",
    });
    expect(odd.find((d) => d.kind === "powershell")?.rollback).toMatch(/-PublicNetworkAccess 'Enabled; Remove-AzResourceGroup rg'$/);
  });
});
