import { describe, expect, it } from "vitest";
import { appEvaluate, siteConfigFixes } from "./app-service";
import { testContext } from "./test-context";

const site = (kind: string, siteConfig: Record<string, unknown>) =>
  testContext("Microsoft.Web/sites", "app1", { kind, properties: { siteConfig } });

describe("app-service builders", () => {
  it("sends function apps to the function-app pack and web apps to the web-app pack", () => {
    const fn = site("functionapp,linux", { ftpsState: "AllAllowed" }).resource;
    const web = site("app,linux", { ftpsState: "AllAllowed" }).resource;
    expect(appEvaluate(fn, "webapp", "ftps").result).toBe("notApplicable");
    expect(appEvaluate(fn, "functionapp", "ftps").result).toBe("noncompliant");
    expect(appEvaluate(web, "webapp", "ftps").result).toBe("noncompliant");
    expect(appEvaluate(web, "functionapp", "ftps").result).toBe("notApplicable");
  });

  it("quotes a previous value read from the inventory in every rollback", () => {
    const odd = "AllAllowed'; Remove-AzResourceGroup -Name rg -Force; '";
    const drafts = siteConfigFixes(site("app", { ftpsState: odd }), {
      packId: "webapp-ftps-required",
      app: "webapp",
      setting: "ftps",
      displayName: "x",
    });
    const byKind = Object.fromEntries(drafts.map((d) => [d.kind, d.rollback]));
    expect(byKind["az-cli"]).toContain(`--ftps-state 'AllAllowed'\\''; Remove-AzResourceGroup -Name rg -Force; '\\'''`);
    expect(byKind.powershell).toContain(`$cfg.Properties.ftpsState = 'AllAllowed''; Remove-AzResourceGroup -Name rg -Force; '''`);
    expect(byKind.terraform).toContain(`ftps_state = ${JSON.stringify(odd)}`);
  });

  it("keeps Azure's own values unquoted where they always were", () => {
    const drafts = siteConfigFixes(site("app", { minTlsVersion: "1.0" }), {
      packId: "webapp-minimum-tls",
      app: "webapp",
      setting: "minTls",
      displayName: "x",
    });
    expect(drafts.find((d) => d.kind === "az-cli")?.rollback).toMatch(/--min-tls-version 1\.0$/);
  });
});
