import type { Remediation } from "../../src/domain/finding";
import { ident, prop, ps, sh } from "../../src/packs/helpers";
import type { RemediationContext } from "../../src/packs/schema";

/**
 * Shared remediation builder: one spec per pack produces six drafts (az CLI, Az PowerShell, Bicep, Terraform azurerm,
 * ARM, Azure Policy), each with a pre-check stating the blast radius, a rollback, the role and the downtime.
 */

export interface Cmd {
  /** Read-only command showing the current value. */
  precheck: string;
  content: string;
  rollback: string;
}

export interface ArmPatch {
  /** ARM type in ARM casing, e.g. Microsoft.Storage/storageAccounts. */
  type: string;
  apiVersion: string;
  /** Resource name (children: `parent/child`). Defaults to the finding's resource name. */
  name?: string;
  /** Properties to set (merged under `properties`). */
  properties: Record<string, unknown>;
  /** Properties that restore the previous state. */
  rollback: Record<string, unknown>;
  /** Top-level members (e.g. identity) to set and to restore. */
  top?: Record<string, unknown>;
  rollbackTop?: Record<string, unknown>;
  /** Copy these top-level members from the resource (ARM PUT needs them): sku, kind. */
  keep?: ("sku" | "kind")[];
  /** Include the resource's location (false for child and subscription-level resources). */
  location?: boolean;
  /** Deployment scope: resource group (default) or subscription. */
  scope?: "resourceGroup" | "subscription";
  /** Rollback as text (e.g. a delete command) when redeploying cannot undo the change, as for new resources. */
  rollbackText?: string;
  /** Extension resources (diagnostic settings): the resource they attach to. */
  extends?: { type: string; apiVersion: string; name: string };
  /**
   * Template parameters the operator supplies (name -> description), for values the finding cannot know (the NSG in
   * front of a VM, a principal to add). Strings may use `{{name}}`; ARM renders `parameters('name')`, Bicep `${name}`.
   */
  params?: Record<string, string>;
}

export interface TfPatch {
  /** azurerm resource type, e.g. azurerm_storage_account. */
  type: string;
  /** HCL arguments to merge into the existing block (healthy state). */
  body: string;
  /** HCL arguments restoring the previous state. */
  rollback: string;
  /** ARM id to import; defaults to the finding's resource id; false for new resources (no import block). */
  importId?: string | false;
  /** Symbol name; defaults to ident(resource name). */
  symbol?: string;
  /** A complete rollback text (e.g. a `removed` block) instead of re-rendering the block with `rollback`. */
  rollbackRaw?: string;
  /** Input variables the operator supplies (name -> description); reference them as `var.<name>` in body. */
  vars?: Record<string, string>;
}

export interface PolicySpec {
  displayName: string;
  description: string;
  category: string;
  mode?: "Indexed" | "All";
  /** The policy rule's `if` condition: matches NON-compliant resources for Audit/Deny. */
  if: Record<string, unknown>;
  /** Allowed effects; the first is the default. */
  effects: string[];
  /** `then.details` for AuditIfNotExists / DeployIfNotExists / Modify. */
  details?: Record<string, unknown>;
}

export interface FixSpec {
  packId: string;
  title: string;
  role: string;
  downtime: string;
  az: Cmd;
  ps: Cmd;
  arm: ArmPatch;
  tf: TfPatch;
  policy: PolicySpec;
  /** Optional second policy draft (e.g. a Modify variant that fixes existing resources). */
  policyModify?: PolicySpec & { roleDefinitionIds: string[] };
}

/** az CLI target arguments for a resource in a resource group. */
export function azTarget(ctx: RemediationContext, nameFlag = "--name"): string {
  return `${nameFlag} ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)}`;
}

/** Az PowerShell target arguments: -ResourceGroupName and -Name (override the name parameter when needed). */
export function psTarget(ctx: RemediationContext, nameParam = "-Name"): string {
  return `-ResourceGroupName ${ps(ctx.resourceGroup)} ${nameParam} ${ps(ctx.name)}`;
}

export function psContext(ctx: RemediationContext): string {
  return `Set-AzContext -Subscription ${ps(ctx.subscriptionId)} | Out-Null`;
}

function blast(ctx: RemediationContext, what: string): string {
  return `Blast radius: ${what} ${ctx.affectedCount} resource(s) in scope currently share this finding.`;
}

export function buildFixes(ctx: RemediationContext, spec: FixSpec): Remediation[] {
  const one = `changes 1 resource (${ctx.resource.id}).`;
  const drafts: Remediation[] = [
    {
      kind: "az-cli",
      title: spec.title,
      precheck: `${spec.az.precheck}\n# ${blast(ctx, one)}`,
      content: spec.az.content,
      rollback: spec.az.rollback,
      requiredRole: spec.role,
      downtime: spec.downtime,
    },
    {
      kind: "powershell",
      title: spec.title,
      precheck: `${psContext(ctx)}\n${spec.ps.precheck}\n# ${blast(ctx, one)}`,
      content: `${psContext(ctx)}\n${spec.ps.content}`,
      rollback: `${psContext(ctx)}\n${spec.ps.rollback}`,
      requiredRole: spec.role,
      downtime: spec.downtime,
    },
    {
      kind: "bicep",
      title: spec.title,
      precheck: `${whatIf(ctx, spec.arm, "main.bicep")}\n# ${blast(ctx, `the template ${one}`)}`,
      content: bicep(ctx, spec.arm, spec.arm.properties, spec.arm.top),
      rollback: spec.arm.rollbackText ?? bicep(ctx, spec.arm, spec.arm.rollback, spec.arm.rollbackTop),
      requiredRole: spec.role,
      downtime: spec.downtime,
    },
    {
      kind: "terraform",
      title: spec.title,
      precheck: `terraform plan  # expect an in-place update of ${spec.tf.type}.${spec.tf.symbol ?? ident(ctx.name)} only\n# ${blast(ctx, one)}`,
      content: terraform(ctx, spec.tf, spec.tf.body),
      rollback: spec.tf.rollbackRaw ?? terraform(ctx, spec.tf, spec.tf.rollback),
      requiredRole: spec.role,
      downtime: spec.downtime,
    },
    {
      kind: "arm",
      title: spec.title,
      precheck: `${whatIf(ctx, spec.arm, "template.json")}\n# ${blast(ctx, `the template ${one}`)}`,
      content: JSON.stringify(armTemplate(ctx, spec.arm, spec.arm.properties, spec.arm.top), null, 2),
      rollback: spec.arm.rollbackText ?? JSON.stringify(armTemplate(ctx, spec.arm, spec.arm.rollback, spec.arm.rollbackTop), null, 2),
      requiredRole: spec.role,
      downtime: spec.downtime,
    },
    policyDraft(ctx, spec.packId, spec.policy),
  ];
  if (spec.policyModify) drafts.push(policyDraft(ctx, spec.packId, spec.policyModify, spec.policyModify.roleDefinitionIds));
  return drafts;
}

function whatIf(ctx: RemediationContext, arm: ArmPatch, file: string): string {
  return arm.scope === "subscription"
    ? `az deployment sub what-if --location ${sh(ctx.location || "westeurope")} --template-file ${file} --subscription ${sh(ctx.subscriptionId)}`
    : `az deployment group what-if --resource-group ${sh(ctx.resourceGroup)} --template-file ${file} --subscription ${sh(ctx.subscriptionId)}`;
}

function resourceBody(ctx: RemediationContext, arm: ArmPatch, properties: Record<string, unknown>, top?: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = { name: arm.name ?? ctx.name };
  if (arm.location !== false && arm.scope !== "subscription" && !arm.extends) body.location = ctx.location || "westeurope";
  for (const k of arm.keep ?? []) {
    const v = (ctx.resource as Record<string, unknown>)[k];
    if (v !== undefined && v !== null) body[k] = v;
  }
  Object.assign(body, top ?? {});
  body.properties = properties;
  return body;
}

export function armTemplate(ctx: RemediationContext, arm: ArmPatch, properties: Record<string, unknown>, top?: Record<string, unknown>): Record<string, unknown> {
  const schema =
    arm.scope === "subscription"
      ? "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#"
      : "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#";
  const body = resourceBody(ctx, arm, properties, top);
  const resource: Record<string, unknown> = { type: arm.type, apiVersion: arm.apiVersion, name: body.name };
  if (arm.extends) resource.scope = `${arm.extends.type}/${arm.extends.name}`;
  for (const [k, v] of Object.entries(body)) if (k !== "name") resource[k] = v;
  if (!arm.params) return { $schema: schema, contentVersion: "1.0.0.0", resources: [resource] };
  const parameters = Object.fromEntries(Object.entries(arm.params).map(([k, d]) => [k, { type: "string", metadata: { description: d } }]));
  return { $schema: schema, contentVersion: "1.0.0.0", parameters, resources: [armParams(resource) as Record<string, unknown>] };
}

/** Rewrites `{{name}}` slots in strings as ARM parameter expressions. */
function armParams(v: unknown): unknown {
  if (typeof v === "string") {
    const names: string[] = [];
    const whole = /^\{\{(\w+)\}\}$/.exec(v);
    if (whole) return `[parameters('${whole[1]}')]`;
    if (!/\{\{\w+\}\}/.test(v)) return v;
    const fmt = v.replace(/'/g, "''").replace(/\{\{(\w+)\}\}/g, (_, n: string) => `{${names.push(n) - 1}}`);
    return `[format('${fmt}', ${names.map((n) => `parameters('${n}')`).join(", ")})]`;
  }
  if (Array.isArray(v)) return v.map(armParams);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, armParams(x)]));
  return v;
}

export function bicep(ctx: RemediationContext, arm: ArmPatch, properties: Record<string, unknown>, top?: Record<string, unknown>): string {
  const sym = ident(ctx.name);
  const lines: string[] = [`// Merge into the existing declaration of ${ctx.name.replace(/[\r\n]/g, " ")}; deployed incrementally, untouched properties keep their values.`];
  if (arm.scope === "subscription") lines.push("targetScope = 'subscription'", "");
  for (const [k, d] of Object.entries(arm.params ?? {})) lines.push(`@description(${bicepValue(d, 0)})`, `param ${k} string`, "");
  const body = resourceBody(ctx, arm, properties, top);
  if (arm.extends) {
    lines.push(`resource target '${arm.extends.type}@${arm.extends.apiVersion}' existing = {`, `  name: ${bicepValue(arm.extends.name, 1)}`, "}", "");
    body.scope = { __raw: "target" };
  }
  lines.push(`resource ${sym} '${arm.type}@${arm.apiVersion}' = ${bicepValue(body, 0)}`);
  return lines.join("\n");
}

/** Renders a JS value as a Bicep literal (objects and arrays one member per line). */
export function bicepValue(v: unknown, depth: number): string {
  const pad = "  ".repeat(depth + 1);
  const end = "  ".repeat(depth);
  if (v && typeof v === "object" && "__raw" in (v as Record<string, unknown>)) return String((v as Record<string, unknown>).__raw);
  if (typeof v === "string") {
    const whole = /^\{\{(\w+)\}\}$/.exec(v);
    if (whole) return whole[1];
    const lit = v.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n").replace(/\$\{/g, "\\${");
    return `'${lit.replace(/\{\{(\w+)\}\}/g, (_, n: string) => `\${${n}}`)}'`;
  }
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return v.length === 0 ? "[]" : `[\n${v.map((x) => `${pad}${bicepValue(x, depth + 1)}`).join("\n")}\n${end}]`;
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([k, x]) => `${pad}${/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : `'${k}'`}: ${bicepValue(x, depth + 1)}`).join("\n")}\n${end}}`;
}

export function terraform(ctx: RemediationContext, tf: TfPatch, body: string): string {
  const sym = tf.symbol ?? ident(ctx.name);
  const out = ["# azurerm provider >= 4.0. Merge these arguments into the existing block; other arguments keep their values."];
  for (const [k, d] of Object.entries(tf.vars ?? {})) out.push(`variable "${k}" {`, "  type        = string", `  description = ${JSON.stringify(d)}`, "}", "");
  const importId = tf.importId === undefined ? ctx.resource.id : tf.importId;
  if (importId) out.push("import {", `  to = ${tf.type}.${sym}`, `  id = ${JSON.stringify(importId)}`, "}", "");
  out.push(`resource "${tf.type}" "${sym}" {`);
  for (const line of body.trim().split("\n")) out.push(`  ${line}`);
  out.push("}");
  return out.join("\n");
}

export function policyDraft(ctx: RemediationContext, packId: string, spec: PolicySpec, roleDefinitionIds?: string[]): Remediation {
  const details = spec.details ? { ...spec.details, ...(roleDefinitionIds ? { roleDefinitionIds } : {}) } : undefined;
  const policy = {
    properties: {
      displayName: `${spec.displayName} (Clarion draft)`,
      policyType: "Custom",
      mode: spec.mode ?? "Indexed",
      description: spec.description,
      metadata: { category: spec.category, source: `clarion:${packId}`, version: "1.0.0" },
      parameters: {
        effect: {
          type: "String",
          metadata: { displayName: "Effect", description: "Audit first; switch to the enforcing effect once the audit is clean." },
          allowedValues: spec.effects,
          defaultValue: spec.effects[0],
        },
      },
      policyRule: { if: spec.if, then: details ? { effect: "[parameters('effect')]", details } : { effect: "[parameters('effect')]" } },
    },
  };
  const enforcing = spec.effects.filter((e) => !/^(audit|auditifnotexists|disabled)$/i.test(e));
  const defName = `clarion-${packId}`.slice(0, 64);
  return {
    kind: "azure-policy",
    title: `${roleDefinitionIds ? "Remediate" : "Audit"} with Azure Policy: ${spec.displayName}`,
    precheck: `Would flag ${ctx.affectedCount} resource(s) in scope today. Assign with effect ${spec.effects[0]} first and review compliance before ${enforcing.length ? `switching to ${enforcing.join(" or ")}` : "acting on the results"}.`,
    content: JSON.stringify(policy, null, 2),
    rollback: `az policy assignment delete --name ${defName} --scope /subscriptions/${ctx.subscriptionId}\naz policy definition delete --name ${defName} --subscription ${sh(ctx.subscriptionId)}`,
    requiredRole: roleDefinitionIds ? "Resource Policy Contributor + the remediation identity's roles" : "Resource Policy Contributor",
    downtime: enforcing.length ? `none while auditing; ${enforcing.join("/")} affects future deployments` : "none",
  };
}

/** Policy condition helpers. */
export const P = {
  type: (t: string) => ({ field: "type", equals: t }),
  all: (...c: Record<string, unknown>[]) => ({ allOf: c }),
  any: (...c: Record<string, unknown>[]) => ({ anyOf: c }),
  not: (c: Record<string, unknown>) => ({ not: c }),
  field: (alias: string, op: string, value: unknown) => ({ field: alias, [op]: value }),
};

/** The usual description of a setting policy drafted from a pack's check. */
export const DRAFTED_SETTING = "Audits (or, where allowed, denies) resources that do not meet this setting; drafted by Clarion from the pack's check.";
export const AUDIT_OR_DENY = "Audits or denies resources that do not meet this setting.";

/**
 * A policy over one resource type whose `unhealthy` conditions (given an alias builder for the type's properties)
 * match the resources that do not meet the setting; Audit by default, Deny allowed.
 */
export function settingPolicy(
  type: string,
  displayName: string,
  category: string,
  unhealthy: (alias: (property: string) => string) => Record<string, unknown>[],
  opts: { effects?: string[]; description?: string } = {},
): PolicySpec {
  return {
    displayName,
    description: opts.description ?? DRAFTED_SETTING,
    category,
    if: P.all(P.type(type), ...unhealthy((property) => `${type}/${property}`)),
    effects: opts.effects ?? ["Audit", "Deny", "Disabled"],
  };
}

/** Built-in role definition ids used by Modify / DeployIfNotExists drafts. */
export const ROLE_IDS = {
  contributor: "/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c",
  storageAccountContributor: "/providers/Microsoft.Authorization/roleDefinitions/17d1049b-9a84-46fb-8f53-869881c3d3ab",
  monitoringContributor: "/providers/Microsoft.Authorization/roleDefinitions/749f88d5-cbae-40b8-bcfc-e573ddc772fa",
  logAnalyticsContributor: "/providers/Microsoft.Authorization/roleDefinitions/92aaf0da-9dab-42b6-94a3-d43ce8d16293",
  securityAdmin: "/providers/Microsoft.Authorization/roleDefinitions/fb1c8493-542b-48eb-b624-b4c8fea62acd",
};

/** The value the resource has now (for rollbacks that restore it), or a fallback when absent. */
export function was<T>(ctx: RemediationContext, path: string, fallback: T): T {
  const v = prop(ctx.resource, path);
  return (v === undefined || v === null ? fallback : v) as T;
}

/** Shell- and PowerShell-safe rendering of a previous value for az/PowerShell rollbacks. */
export function flag(v: unknown): string {
  return sh(String(v));
}

/** A PowerShell enum argument: bare when it is a plain word (Azure's own values), quoted otherwise. */
export function psWord(v: string): string {
  return /^[\w.]+$/.test(v) ? v : ps(v);
}

/** Resource group and name from an ARM id. */
export function idParts(id: string): { resourceGroup: string; name: string } {
  const seg = id.split("/");
  const rg = seg.findIndex((s) => s.toLowerCase() === "resourcegroups");
  return { resourceGroup: rg >= 0 ? (seg[rg + 1] ?? "") : "", name: seg[seg.length - 1] ?? "" };
}

export interface DenyRuleSpec {
  packId: string;
  title: string;
  ruleName: string;
  /** Destination port specs to deny from the Internet ("22", "81-442"). */
  ports: string[];
  downtime: string;
  policy: PolicySpec;
}

/**
 * Drafts for closing Internet access to ports on a VM: a high-priority inbound Deny from the `Internet` tag in the NSG
 * on the VM's first NIC. The NSG is not on the VM row, so the shell drafts look it up from the NIC and the IaC drafts
 * take it as a parameter; the rule is new, so rollback deletes it.
 */
export function denyInboundFixes(ctx: RemediationContext, s: DenyRuleSpec): Remediation[] {
  const nicId = (prop(ctx.resource, "properties.networkProfile.networkInterfaces") as { id?: string }[] | undefined)?.[0]?.id ?? "";
  const nic = idParts(nicId);
  const nicRg = nic.resourceGroup || ctx.resourceGroup;
  const sub = sh(ctx.subscriptionId);
  const lookup = `NSG_ID=$(az network nic show --name ${sh(nic.name)} --resource-group ${sh(nicRg)} --subscription ${sub} --query networkSecurityGroup.id -o tsv)`;
  const target = `--resource-group "$(echo "$NSG_ID" | cut -d/ -f5)" --nsg-name "\${NSG_ID##*/}" --subscription ${sub}`;
  const psNsg = [`$nic = Get-AzNetworkInterface -ResourceGroupName ${ps(nicRg)} -Name ${ps(nic.name)}`, "$nsg = Get-AzNetworkSecurityGroup | Where-Object { $_.Id -eq $nic.NetworkSecurityGroup.Id }"];
  const portsPs = s.ports.map((p) => ps(p)).join(",");
  const props = {
    priority: 100,
    direction: "Inbound",
    access: "Deny",
    protocol: "*",
    sourceAddressPrefix: "Internet",
    sourcePortRange: "*",
    destinationAddressPrefix: "*",
    destinationPortRanges: s.ports,
    description: `Clarion: ${s.title}`,
  };
  const sym = ident(ctx.name);
  return buildFixes(ctx, {
    packId: s.packId,
    title: s.title,
    role: "Network Contributor",
    downtime: s.downtime,
    az: {
      precheck: `az network nic list-effective-nsg --name ${sh(nic.name)} --resource-group ${sh(nicRg)} --subscription ${sub}\n# Priority 100 must be free in the NIC's NSG; if the NIC has no NSG, apply the rule to its subnet's NSG instead.`,
      content: `${lookup}\naz network nsg rule create ${target} --name ${s.ruleName} --priority 100 --direction Inbound --access Deny --protocol '*' --source-address-prefixes Internet --source-port-ranges '*' --destination-address-prefixes '*' --destination-port-ranges ${s.ports.join(" ")}`,
      rollback: `${lookup}\naz network nsg rule delete ${target} --name ${s.ruleName}`,
    },
    ps: {
      precheck: `Get-AzEffectiveNetworkSecurityGroup -NetworkInterfaceName ${ps(nic.name)} -ResourceGroupName ${ps(nicRg)}`,
      content: [...psNsg, `$nsg | Add-AzNetworkSecurityRuleConfig -Name ${ps(s.ruleName)} -Priority 100 -Direction Inbound -Access Deny -Protocol '*' -SourceAddressPrefix Internet -SourcePortRange '*' -DestinationAddressPrefix '*' -DestinationPortRange ${portsPs} | Set-AzNetworkSecurityGroup`].join("\n"),
      rollback: [...psNsg, `$nsg | Remove-AzNetworkSecurityRuleConfig -Name ${ps(s.ruleName)} | Set-AzNetworkSecurityGroup`].join("\n"),
    },
    arm: {
      type: "Microsoft.Network/networkSecurityGroups/securityRules",
      apiVersion: "2023-11-01",
      name: `{{nsgName}}/${s.ruleName}`,
      location: false,
      params: { nsgName: `Name of the NSG on ${nic.name || "the VM's NIC"} (see the pre-check)` },
      properties: props,
      rollback: {},
      rollbackText: `${lookup}\naz network nsg rule delete ${target} --name ${s.ruleName}`,
    },
    tf: {
      type: "azurerm_network_security_rule",
      symbol: `${sym}_${ident(s.ruleName.toLowerCase())}`,
      importId: false,
      vars: { nsg_name: `NSG on ${nic.name || "the VM's NIC"}`, nsg_resource_group: "Resource group of that NSG" },
      body: [
        `name                        = "${s.ruleName}"`,
        "priority                    = 100",
        'direction                   = "Inbound"',
        'access                      = "Deny"',
        'protocol                    = "*"',
        'source_port_range           = "*"',
        'source_address_prefix       = "Internet"',
        'destination_address_prefix  = "*"',
        `destination_port_ranges     = [${s.ports.map((p) => JSON.stringify(p)).join(", ")}]`,
        "resource_group_name         = var.nsg_resource_group",
        "network_security_group_name = var.nsg_name",
      ].join("\n"),
      rollback: "",
      rollbackRaw: `removed {\n  from = azurerm_network_security_rule.${sym}_${ident(s.ruleName.toLowerCase())}\n  lifecycle {\n    destroy = true\n  }\n}`,
    },
    policy: s.policy,
  });
}

/** Policy condition: an inbound Allow security rule from the Internet (any of Azure's spellings). */
export function internetAllowRule(): Record<string, unknown> {
  return P.all(
    P.type("Microsoft.Network/networkSecurityGroups/securityRules"),
    P.field("Microsoft.Network/networkSecurityGroups/securityRules/access", "equals", "Allow"),
    P.field("Microsoft.Network/networkSecurityGroups/securityRules/direction", "equals", "Inbound"),
    P.field("Microsoft.Network/networkSecurityGroups/securityRules/sourceAddressPrefix", "in", ["*", "Internet", "0.0.0.0/0", "Any"]),
  );
}

/**
 * Audit/Deny policy over inbound Allow rules from the Internet; `ports` receives the aliases of a rule's single
 * destination port range and of its list of ranges and returns the condition on them.
 */
export function internetRulePolicy(displayName: string, description: string, ports: (range: string, ranges: string) => Record<string, unknown>): PolicySpec {
  const rule = "Microsoft.Network/networkSecurityGroups/securityRules";
  return {
    displayName,
    description,
    category: "Network",
    mode: "All",
    if: P.all(internetAllowRule(), ports(`${rule}/destinationPortRange`, `${rule}/destinationPortRanges[*]`)),
    effects: ["Audit", "Deny", "Disabled"],
  };
}

export interface ExtensionSpec {
  packId: string;
  title: string;
  role?: string;
  downtime: string;
  /** Extension name, publisher, type and handler version, chosen by OS. */
  ext: { name: string; publisher: string; type: string; version: string };
  /** Extra az/PowerShell lines run before installing (e.g. enabling a managed identity). */
  note?: string;
  policy: PolicySpec;
}

/** Drafts installing a VM extension; the extension is new, so rollback removes it. */
export function extensionFixes(ctx: RemediationContext, s: ExtensionSpec): Remediation[] {
  const { name, publisher, type, version } = s.ext;
  const vm = `--vm-name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)}`;
  const del = `az vm extension delete ${vm} --name ${sh(name)}`;
  const sym = `${ident(ctx.name)}_${ident(name.toLowerCase())}`;
  return buildFixes(ctx, {
    packId: s.packId,
    title: s.title,
    role: s.role ?? "Virtual Machine Contributor",
    downtime: s.downtime,
    az: {
      precheck: `az vm extension list --vm-name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)} --query "[].{name:name, publisher:publisher, type:typePropertiesType, state:provisioningState}"${s.note ? `\n# ${s.note}` : ""}`,
      content: `az vm extension set ${vm} --name ${sh(type)} --publisher ${sh(publisher)} --version ${sh(version)} --enable-auto-upgrade true`,
      rollback: del,
    },
    ps: {
      precheck: `Get-AzVMExtension -ResourceGroupName ${ps(ctx.resourceGroup)} -VMName ${ps(ctx.name)} | Select-Object Name, Publisher, ExtensionType, ProvisioningState`,
      content: `Set-AzVMExtension -ResourceGroupName ${ps(ctx.resourceGroup)} -VMName ${ps(ctx.name)} -Name ${ps(name)} -Publisher ${ps(publisher)} -ExtensionType ${ps(type)} -TypeHandlerVersion ${ps(version)} -Location ${ps(ctx.location || "westeurope")} -EnableAutomaticUpgrade $true`,
      rollback: `Remove-AzVMExtension -ResourceGroupName ${ps(ctx.resourceGroup)} -VMName ${ps(ctx.name)} -Name ${ps(name)} -Force`,
    },
    arm: {
      type: "Microsoft.Compute/virtualMachines/extensions",
      apiVersion: "2024-07-01",
      name: `${ctx.name}/${name}`,
      properties: { publisher, type, typeHandlerVersion: version, autoUpgradeMinorVersion: true, enableAutomaticUpgrade: true },
      rollback: {},
      rollbackText: del,
    },
    tf: {
      type: "azurerm_virtual_machine_extension",
      symbol: sym,
      importId: false,
      body: [`name                       = ${JSON.stringify(name)}`, `virtual_machine_id         = ${JSON.stringify(ctx.resource.id)}`, `publisher                  = ${JSON.stringify(publisher)}`, `type                       = ${JSON.stringify(type)}`, `type_handler_version       = ${JSON.stringify(version)}`, "auto_upgrade_minor_version = true", "automatic_upgrade_enabled  = true"].join("\n"),
      rollback: "",
      rollbackRaw: `removed {\n  from = azurerm_virtual_machine_extension.${sym}\n  lifecycle {\n    destroy = true\n  }\n}`,
    },
    policy: s.policy,
  });
}

/** AuditIfNotExists over VMs of one OS for an extension of a publisher and one of the types. */
export function extensionPolicy(displayName: string, description: string, os: "Windows" | "Linux" | undefined, publisher: string, types: string[]): PolicySpec {
  const vm = P.type("Microsoft.Compute/virtualMachines");
  return {
    displayName,
    description,
    category: "Compute",
    mode: "Indexed",
    if: os ? P.all(vm, P.field("Microsoft.Compute/virtualMachines/storageProfile.osDisk.osType", "equals", os)) : vm,
    effects: ["AuditIfNotExists", "Disabled"],
    details: {
      type: "Microsoft.Compute/virtualMachines/extensions",
      existenceCondition: P.all(P.field("Microsoft.Compute/virtualMachines/extensions/publisher", "equals", publisher), P.field("Microsoft.Compute/virtualMachines/extensions/type", "in", types)),
    },
  };
}

export const ROLE_NAMES: Record<string, string> = {
  "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
  "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
  "acdd72a7-3385-48ef-bd42-f606fba81ae7": "Reader",
};

/** A stable GUID for a role assignment name, derived from its inputs (role assignment names must be GUIDs). */
export function stableGuid(...parts: string[]): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  const hex: string[] = [];
  const s = parts.join("|");
  for (let round = 0; round < 4; round++) {
    for (let i = 0; i < s.length; i++) {
      h1 = Math.imul(h1 ^ s.charCodeAt(i), 16777619) >>> 0;
      h2 = Math.imul(h2 ^ (s.charCodeAt(i) + round), 2246822519) >>> 0;
    }
    hex.push(((h1 ^ h2) >>> 0).toString(16).padStart(8, "0"));
  }
  const x = hex.join("");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-4${x.slice(13, 16)}-8${x.slice(17, 20)}-${x.slice(20, 32)}`;
}

export interface RoleSwapSpec {
  packId: string;
  title: string;
  downtime: string;
  /** Role to grant to the principal the operator names (the replacement / second owner); omit to only remove. */
  grant: { roleId: string; principalParam: string; why: string };
  /** Role to remove from the principal the operator names (the excess or external account); omit to only add. */
  remove?: { roleId: string; principalParam: string; why: string };
  policy: PolicySpec;
}

/**
 * Drafts for subscription role changes. The subscription row does not say which principal to add or remove (that is a
 * decision), so principals are parameters; the IaC drafts declare the assignment to grant, the shell drafts also remove.
 */
export function roleFixes(ctx: RemediationContext, s: RoleSwapSpec): Remediation[] {
  const scope = `/subscriptions/${ctx.subscriptionId}`;
  const grantRole = ROLE_NAMES[s.grant.roleId] ?? s.grant.roleId;
  const removeRole = s.remove ? (ROLE_NAMES[s.remove.roleId] ?? s.remove.roleId) : "";
  const gp = `$${s.grant.principalParam.toUpperCase()}`;
  const rp = s.remove ? `$${s.remove.principalParam.toUpperCase()}` : "";
  const add = `az role assignment create --assignee-object-id "${gp}" --assignee-principal-type User --role ${sh(grantRole)} --scope ${scope}`;
  const undoAdd = `az role assignment delete --assignee "${gp}" --role ${sh(grantRole)} --scope ${scope} --yes`;
  const del = s.remove ? `az role assignment delete --assignee "${rp}" --role ${sh(removeRole)} --scope ${scope} --yes` : "";
  const undoDel = s.remove ? `az role assignment create --assignee-object-id "${rp}" --assignee-principal-type User --role ${sh(removeRole)} --scope ${scope}` : "";
  const vars = [`# ${gp}: object id of ${s.grant.why}`, ...(s.remove ? [`# ${rp}: object id of ${s.remove.why}`] : [])].join("\n");
  const psGp = `$env:${s.grant.principalParam.toUpperCase()}`;
  const psRp = s.remove ? `$env:${s.remove.principalParam.toUpperCase()}` : "";
  const name = stableGuid(s.packId, ctx.subscriptionId, s.grant.roleId);
  const tfSym = ident(`${s.packId}_${grantRole}`.toLowerCase());
  return buildFixes(ctx, {
    packId: s.packId,
    title: s.title,
    role: "Owner or User Access Administrator (subscription)",
    downtime: s.downtime,
    az: {
      precheck: `az role assignment list --scope ${scope} --include-inherited --query "[?roleDefinitionName=='Owner' || roleDefinitionName=='Contributor' || roleDefinitionName=='Reader'].{role:roleDefinitionName, principal:principalName, id:principalId, type:principalType, scope:scope}" -o table\n${vars}`,
      content: [`# Subscription: ${ctx.name.replace(/[\r\n]/g, " ")}`, add, del].filter(Boolean).join("\n"),
      rollback: [`# Subscription: ${ctx.name.replace(/[\r\n]/g, " ")}`, undoDel, undoAdd].filter(Boolean).join("\n"),
    },
    ps: {
      precheck: `Get-AzRoleAssignment -Scope ${ps(scope)} | Select-Object DisplayName, SignInName, ObjectId, ObjectType, RoleDefinitionName, Scope`,
      content: [`New-AzRoleAssignment -ObjectId ${psGp} -RoleDefinitionName ${ps(grantRole)} -Scope ${ps(scope)}`, ...(s.remove ? [`Remove-AzRoleAssignment -ObjectId ${psRp} -RoleDefinitionName ${ps(removeRole)} -Scope ${ps(scope)}`] : [])].join("\n"),
      rollback: [...(s.remove ? [`New-AzRoleAssignment -ObjectId ${psRp} -RoleDefinitionName ${ps(removeRole)} -Scope ${ps(scope)}`] : []), `Remove-AzRoleAssignment -ObjectId ${psGp} -RoleDefinitionName ${ps(grantRole)} -Scope ${ps(scope)}`].join("\n"),
    },
    arm: {
      type: "Microsoft.Authorization/roleAssignments",
      apiVersion: "2022-04-01",
      name,
      scope: "subscription",
      params: { [s.grant.principalParam]: `Object id of ${s.grant.why}` },
      properties: { roleDefinitionId: `${scope}/providers/Microsoft.Authorization/roleDefinitions/${s.grant.roleId}`, principalId: `{{${s.grant.principalParam}}}`, principalType: "User" },
      rollback: {},
      rollbackText: `az role assignment delete --ids ${scope}/providers/Microsoft.Authorization/roleAssignments/${name}${s.remove ? `\n# and restore the removed assignment if it was removed:\n${undoDel}` : ""}`,
    },
    tf: {
      type: "azurerm_role_assignment",
      symbol: tfSym,
      importId: false,
      vars: { [s.grant.principalParam.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)]: `Object id of ${s.grant.why}` },
      body: [`scope                = ${JSON.stringify(scope)}`, `role_definition_name = ${JSON.stringify(grantRole)}`, `principal_id         = var.${s.grant.principalParam.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`, 'principal_type       = "User"'].join("\n"),
      rollback: "",
      rollbackRaw: `removed {\n  from = azurerm_role_assignment.${tfSym}\n  lifecycle {\n    destroy = true\n  }\n}`,
    },
    policy: s.policy,
  });
}

/** Audit policy over role assignments of one role definition. */
export function roleAssignmentPolicy(displayName: string, description: string, roleId: string): PolicySpec {
  return {
    displayName,
    description,
    category: "General",
    mode: "All",
    if: P.all(P.type("Microsoft.Authorization/roleAssignments"), P.field("Microsoft.Authorization/roleAssignments/roleDefinitionId", "like", `*${roleId}`), P.field("Microsoft.Authorization/roleAssignments/principalType", "equals", "User")),
    effects: ["Audit", "Disabled"],
  };
}
