import { z } from "zod";

/**
 * An Azure resource exactly as Azure Resource Graph returns it (the `resources` and `resourcecontainers` tables).
 * ARG lower-cases `type`; we keep what the source gave in `type` and use `typeKey()` for joins.
 */
export const ArmResourceSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  type: z.string().min(1),
  location: z.string().optional().default(""),
  resourceGroup: z.string().optional().default(""),
  subscriptionId: z.string().optional().default(""),
  tenantId: z.string().optional(),
  kind: z.string().nullable().optional(),
  managedBy: z.string().nullable().optional(),
  sku: z.record(z.string(), z.unknown()).nullable().optional(),
  identity: z.record(z.string(), z.unknown()).nullable().optional(),
  zones: z.array(z.string()).nullable().optional(),
  tags: z.record(z.string(), z.string().nullable()).nullable().optional(),
  properties: z.record(z.string(), z.unknown()).nullable().optional(),
});
export type ArmResource = z.infer<typeof ArmResourceSchema>;

/** Lower-cased resource type, the join key (ARG and REST disagree on casing). */
export function typeKey(type: string): string {
  return type.toLowerCase();
}

/** Lower-cased resource id, the join key (ids are case-insensitive in ARM). */
export function idKey(id: string): string {
  return id.toLowerCase();
}

/** Parses the subscription, resource group, provider type and name out of an ARM id. */
export function parseResourceId(id: string): {
  subscriptionId: string;
  resourceGroup: string;
  type: string;
  name: string;
} {
  const parts = id.split("/").filter(Boolean);
  let subscriptionId = "";
  let resourceGroup = "";
  let provider = "";
  const typeParts: string[] = [];
  let name = parts[parts.length - 1] ?? "";
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i].toLowerCase();
    if (p === "subscriptions" && i + 1 < parts.length) subscriptionId = parts[++i];
    else if (p === "resourcegroups" && i + 1 < parts.length) resourceGroup = parts[++i];
    else if (p === "providers" && i + 1 < parts.length) {
      provider = parts[++i];
      typeParts.length = 0;
      for (let j = i + 1; j < parts.length; j += 2) {
        typeParts.push(parts[j]);
        if (j + 1 < parts.length) name = parts[j + 1];
      }
      break;
    }
  }
  let type = provider ? [provider, ...typeParts].join("/") : "";
  if (!type && resourceGroup && parts.length === 4) type = "Microsoft.Resources/resourceGroups";
  if (!type && subscriptionId && parts.length === 2) type = "Microsoft.Resources/subscriptions";
  return { subscriptionId, resourceGroup, type, name };
}
