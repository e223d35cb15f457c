import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { needShared, realdata } from "../../testing/shared";
import { ARM_TYPES } from "./iac-table";
import { shellWords, validateArmTemplate, validateAzText, validateBicep, validatePsText, validateTerraform } from "./index";

describe("draft validators", () => {
  it("accepts a known az command and rejects unknown commands and parameters", () => {
    expect(validateAzText("az storage account update --name st --resource-group rg --min-tls-version TLS1_2")).toEqual([]);
    expect(validateAzText("az storage account patch --name st")).toEqual(["unknown az command: az storage account patch"]);
    expect(validateAzText("az storage account update --name st --tls TLS1_2")).toEqual(["az storage account update: unknown parameter --tls"]);
    expect(shellWords(`az x --q "a b" 'c d' # note`)).toEqual(["az", "x", "--q", "a b", "c d"]);
  });

  it("checks PowerShell cmdlets and their parameters", () => {
    expect(validatePsText("Set-AzStorageAccount -ResourceGroupName 'rg' -Name 'st' -MinimumTlsVersion TLS1_2")).toEqual([]);
    expect(validatePsText("Set-AzStorageAccount -ResourceGroupName 'rg' -Name 'st' -MinTls TLS1_2")).toEqual(["Set-AzStorageAccount: unknown parameter -MinTls"]);
    expect(validatePsText("Set-AzStorageThing -Name 'x'")).toEqual(["unknown cmdlet: Set-AzStorageThing"]);
  });

  it("checks ARM type, API version and property paths", () => {
    const t = (type: string, apiVersion: string, properties: object) => ({
      $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      contentVersion: "1.0.0.0",
      resources: [{ type, apiVersion, name: "x", properties }],
    });
    expect(validateArmTemplate(t("Microsoft.Storage/storageAccounts", "2023-05-01", { minimumTlsVersion: "TLS1_2" }))).toEqual([]);
    expect(validateArmTemplate(t("Microsoft.Storage/storageAccounts", "2015-01-01", {}))[0]).toMatch(/API version/);
    expect(validateArmTemplate(t("Microsoft.Storage/storageAccounts", "2023-05-01", { minTls: "x" }))[0]).toMatch(/unknown property path properties.minTls/);
    expect(validateArmTemplate(t("Microsoft.Nope/things", "2023-05-01", {}))[0]).toMatch(/unknown ARM type/);
  });

  it("reads Bicep declarations and checks them like ARM", () => {
    const ok = "resource st 'Microsoft.Storage/storageAccounts@2023-05-01' = {\n  name: 'st'\n  properties: {\n    minimumTlsVersion: 'TLS1_2'\n  }\n}";
    expect(validateBicep(ok)).toEqual([]);
    expect(validateBicep(ok.replace("minimumTlsVersion", "tlsMin"))[0]).toMatch(/unknown property path/);
  });

  it("reads Terraform blocks and checks azurerm arguments", () => {
    const ok = 'import {\n  to = azurerm_storage_account.st\n  id = "/x"\n}\nresource "azurerm_storage_account" "st" {\n  min_tls_version = "TLS1_2"\n  network_rules {\n    default_action = "Deny"\n  }\n}';
    expect(validateTerraform(ok)).toEqual([]);
    expect(validateTerraform(ok.replace("min_tls_version", "tls_minimum"))).toEqual(["terraform: azurerm_storage_account has no argument tls_minimum"]);
    expect(validateTerraform('resource "azurerm_nope" "x" {\n}')).toEqual(["terraform: unknown resource type azurerm_nope"]);
    expect(validateTerraform('resource "azurerm_storage_account" "x" {\n')).toContain("terraform: unbalanced braces");
  });
});

describe.skipIf(!needShared("ARM property paths vs the real policy alias catalog"))("ARM table against real aliases", () => {
  it("every property path in the ARM table has a policy alias with that default path", () => {
    const paths = new Map<string, Set<string>>();
    for (const line of readFileSync(realdata("azure-policy-aliases", "aliases.jsonl"), "utf8").split("\n")) {
      if (!line.trim()) continue;
      const row = JSON.parse(line) as { resourceType: string; aliases: { defaultPath: string }[] };
      paths.set(row.resourceType.toLowerCase(), new Set(row.aliases.map((a) => a.defaultPath.toLowerCase())));
    }
    const missing: string[] = [];
    let checked = 0;
    for (const [type, spec] of Object.entries(ARM_TYPES)) {
      const known = paths.get(type.toLowerCase());
      if (!known) continue; // types absent from the alias dump (none expected for property-bearing types)
      for (const p of spec.paths) {
        checked++;
        const full = `properties.${p}`.toLowerCase();
        if (!known.has(full) && ![...known].some((k) => k.startsWith(`${full}.`) || k.startsWith(`${full}[`))) missing.push(`${type} ${full}`);
      }
    }
    expect(checked).toBeGreaterThan(40);
    expect(missing).toEqual([]);
  });
});
