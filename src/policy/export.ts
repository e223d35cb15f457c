import { InputError } from "../domain/errors";
import { slug } from "./draft";
import { parsePolicy } from "./parse";

export type ExportFormat = "arm" | "bicep" | "terraform";

/**
 * Definition plus assignment scaffolding. The assignment targets the deployment scope (ARM/Bicep) or a
 * subscription variable (Terraform); modify/deployIfNotExists get a system-assigned identity.
 */
export function exportPolicy(json: unknown, format: ExportFormat): string {
  const { definition, errors } = parsePolicy(json);
  if (!definition || errors.length)
    throw new InputError(`policy is invalid: ${errors.map((e) => `${e.pointer}: ${e.message}`).join("; ")}`);
  const name =
    definition.name && !/^[0-9a-f-]{36}$/i.test(definition.name) ? definition.name : slug(definition.displayName ?? "clarion-policy");
  const props = {
    displayName: definition.displayName ?? name,
    policyType: "Custom",
    mode: definition.mode,
    description: definition.description ?? "",
    metadata: definition.metadata ?? {},
    parameters: definition.parameters,
    policyRule: definition.policyRule,
  };
  const effect = String(definition.policyRule.then.effect ?? "");
  const eff = effect.toLowerCase();
  const needsIdentity = /modify|deployifnotexists/.test(eff) || /parameters\(/i.test(effect);
  const assignmentParams = Object.fromEntries(
    Object.entries(definition.parameters)
      .filter(([, p]) => p.defaultValue === undefined)
      .map(([k]) => [k, { value: null }]),
  );
  switch (format) {
    case "arm":
      return `${JSON.stringify(
        {
          $schema: "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#",
          contentVersion: "1.0.0.0",
          parameters: {
            location: { type: "string", defaultValue: "westeurope", metadata: { description: "identity location for modify/DINE" } },
          },
          resources: [
            // Policy expressions must reach Azure as text: `[` is escaped as `[[` inside an ARM template.
            { type: "Microsoft.Authorization/policyDefinitions", apiVersion: "2023-04-01", name, properties: armEscape(props) },
            {
              type: "Microsoft.Authorization/policyAssignments",
              apiVersion: "2023-04-01",
              name: `${name}`.slice(0, 64),
              dependsOn: [`[subscriptionResourceId('Microsoft.Authorization/policyDefinitions', '${name}')]`],
              ...(needsIdentity ? { location: "[parameters('location')]", identity: { type: "SystemAssigned" } } : {}),
              properties: {
                displayName: props.displayName,
                policyDefinitionId: `[subscriptionResourceId('Microsoft.Authorization/policyDefinitions', '${name}')]`,
                enforcementMode: "DoNotEnforce",
                parameters: assignmentParams,
                nonComplianceMessages: [{ message: props.displayName }],
              },
            },
          ],
        },
        null,
        2,
      )}\n`;
    case "bicep": {
      const obj = (v: unknown, indent: string): string => bicepValue(v, indent);
      return [
        "targetScope = 'subscription'",
        "",
        "@description('Identity location for modify / deployIfNotExists assignments')",
        "param location string = 'westeurope'",
        "",
        `resource def 'Microsoft.Authorization/policyDefinitions@2023-04-01' = {`,
        `  name: '${esc(name)}'`,
        `  properties: ${obj(props, "  ")}`,
        "}",
        "",
        `resource assignment 'Microsoft.Authorization/policyAssignments@2023-04-01' = {`,
        `  name: '${esc(name.slice(0, 64))}'`,
        ...(needsIdentity ? ["  location: location", "  identity: {", "    type: 'SystemAssigned'", "  }"] : []),
        "  properties: {",
        `    displayName: '${esc(props.displayName)}'`,
        "    policyDefinitionId: def.id",
        "    enforcementMode: 'DoNotEnforce' // switch to 'Default' after review",
        `    parameters: ${obj(assignmentParams, "    ")}`,
        "  }",
        "}",
        "",
      ].join("\n");
    }
    case "terraform": {
      const tfName = name.replace(/[^a-zA-Z0-9_]/g, "_");
      const heredoc = (v: unknown) => `jsonencode(${JSON.stringify(v, null, 2).replace(/\n/g, "\n  ")})`;
      return [
        'variable "subscription_id" {',
        "  type        = string",
        '  description = "Subscription to assign the policy to"',
        "}",
        "",
        `resource "azurerm_policy_definition" "${tfName}" {`,
        `  name         = ${JSON.stringify(name)}`,
        '  policy_type  = "Custom"',
        `  mode         = ${JSON.stringify(props.mode)}`,
        `  display_name = ${JSON.stringify(props.displayName)}`,
        `  description  = ${JSON.stringify(props.description)}`,
        `  metadata     = ${heredoc(props.metadata)}`,
        `  parameters   = ${heredoc(props.parameters)}`,
        `  policy_rule  = ${heredoc(props.policyRule)}`,
        "}",
        "",
        `resource "azurerm_subscription_policy_assignment" "${tfName}" {`,
        `  name                 = ${JSON.stringify(name.slice(0, 64))}`,
        `  policy_definition_id = azurerm_policy_definition.${tfName}.id`,
        '  subscription_id      = "/subscriptions/${var.subscription_id}"',
        "  enforce              = false # set true after review",
        ...(needsIdentity ? ['  location             = "westeurope"', "  identity {", '    type = "SystemAssigned"', "  }"] : []),
        `  parameters           = ${heredoc(assignmentParams)}`,
        "}",
        "",
      ].join("\n");
    }
    default:
      throw new InputError(`unknown export format '${format}' (arm, bicep or terraform)`, { field: "--format" });
  }
}

function armEscape(v: unknown): unknown {
  if (typeof v === "string") return v.startsWith("[") && !v.startsWith("[[") ? `[${v}` : v;
  if (Array.isArray(v)) return v.map(armEscape);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, armEscape(x)]));
  return v;
}

function esc(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\$\{/g, "\\${");
}

function bicepValue(v: unknown, indent: string): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return `'${esc(v)}'`;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  const next = `${indent}  `;
  if (Array.isArray(v)) {
    if (!v.length) return "[]";
    return `[\n${v.map((x) => `${next}${bicepValue(x, next)}`).join("\n")}\n${indent}]`;
  }
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  if (!entries.length) return "{}";
  const key = (k: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : `'${esc(k)}'`);
  return `{\n${entries.map(([k, x]) => `${next}${key(k)}: ${bicepValue(x, next)}`).join("\n")}\n${indent}}`;
}
