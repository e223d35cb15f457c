import { describe, expect, it } from "vitest";
import { checkDraft, draftFromText } from "./draft";
import { exportPolicy } from "./export";
import { parseArgText } from "./reader";

const row = {
  id: "/subscriptions/s/resourceGroups/g/providers/Microsoft.Storage/storageAccounts/a",
  type: "microsoft.storage/storageaccounts",
  name: "a",
  location: "westeurope",
};
const policy = {
  properties: {
    displayName: "Storage TLS",
    mode: "Indexed",
    parameters: { effect: { type: "String", allowedValues: ["Audit", "Deny"], defaultValue: "Audit" } },
    policyRule: {
      if: {
        allOf: [
          { field: "type", equals: "Microsoft.Storage/storageAccounts" },
          { field: "Microsoft.Storage/storageAccounts/minimumTlsVersion", notEquals: "TLS1_2" },
        ],
      },
      then: { effect: "[parameters('effect')]" },
    },
  },
};

describe("ARG reader", () => {
  it("reads {data:[...]}, arrays and NDJSON; names the line of a bad row", () => {
    expect(parseArgText(JSON.stringify({ count: 1, data: [row] }))).toHaveLength(1);
    expect(parseArgText(JSON.stringify([row, row]))).toHaveLength(2);
    expect(parseArgText(`${JSON.stringify(row)}\n\n${JSON.stringify(row)}\n`)).toHaveLength(2);
    expect(() => parseArgText(`${JSON.stringify(row)}\n{"id":"x"}\n`, "f.ndjson")).toThrow(/f\.ndjson, line 2.*type/);
  });
});

describe("export", () => {
  it("ARM escapes policy expressions; Bicep and Terraform carry definition and assignment", () => {
    const arm = JSON.parse(exportPolicy(policy, "arm"));
    expect(arm.resources[0].properties.policyRule.then.effect).toBe("[[parameters('effect')]");
    expect(arm.resources[1].type).toBe("Microsoft.Authorization/policyAssignments");
    const bicep = exportPolicy(policy, "bicep");
    expect(bicep).toMatch(/resource def 'Microsoft.Authorization\/policyDefinitions@2023-04-01'/);
    expect(bicep).toMatch(/policyDefinitionId: def.id/);
    const tf = exportPolicy(policy, "terraform");
    expect(tf).toMatch(/resource "azurerm_policy_definition"/);
    expect(tf).toMatch(/resource "azurerm_subscription_policy_assignment"/);
  });
});

describe("draft from text", () => {
  it("recommends the built-in by id first for SQL encryption at rest, and the draft validates and what-ifs", () => {
    const d = draftFromText("Ensure all SQL databases have encryption at rest");
    expect(d.source).toBe("builtin");
    expect(d.recommendedBuiltins[0].displayName).toMatch(/Transparent Data Encryption/i);
    expect(d.recommendedBuiltins[0].id).toMatch(/^\/providers\/Microsoft.Authorization\/policyDefinitions\//);
    const checked = checkDraft(d, [
      {
        ...row,
        id: "/subscriptions/s/resourceGroups/g/providers/Microsoft.Sql/servers/s1/databases/d1",
        type: "microsoft.sql/servers/databases",
        name: "d1",
      },
    ]);
    expect(checked.validation.valid).toBe(true);
    expect(checked.whatIf?.evaluated).toBe(1);
  });
  it("falls back to an alias skeleton when no built-in covers the request, and refuses gibberish", () => {
    const d = draftFromText("ldaps pfx certificate password for domain services");
    expect(d.source).toBe("alias-skeleton");
    expect(JSON.stringify(d.policy)).toMatch(/Microsoft\.AAD\/domainServices\/ldapsSettings/i);
    expect(checkDraft(d, []).validation.valid).toBe(true);
    expect(() => draftFromText("gizmo doohickey quux")).toThrow(/nothing in the alias or built-in catalogs/);
  });
});
