import { randomUUID } from "node:crypto";
import type { ArmResource } from "../src/domain/resource";
import type { RawTenant } from "../src/sources/raw";

/** An Azure Policy object in its ARM REST envelope. */
export interface PolicyObject {
  id: string;
  name: string;
  type: string;
  properties?: Record<string, unknown>;
  [k: string]: unknown;
}

/** What the simulator serves: a RawTenant plus the few things RawTenant does not carry. */
export interface SimTenant extends RawTenant {
  /** Azure Policy objects in ARM REST shape (definitions, assignments, exemptions) and PolicyInsights states. */
  policy?: {
    definitions?: PolicyObject[];
    assignments?: PolicyObject[];
    exemptions?: PolicyObject[];
    states?: Record<string, unknown>[];
  };
  /** Management group name -> subscription ids (used when subscriptions carry no managementGroupAncestorsChain). */
  managementGroups?: Record<string, string[]>;
}

/** ARG `resourcechanges` row recorded by the simulator when a resource is created, updated or deleted. */
export function changeRow(resource: ArmResource, changeType: "Create" | "Update" | "Delete", at: string): ArmResource {
  const guid = randomUUID();
  return {
    id: `${resource.id}/providers/Microsoft.Resources/changes/${guid}`,
    name: guid,
    type: "microsoft.resources/changes",
    subscriptionId: resource.subscriptionId ?? "",
    resourceGroup: resource.resourceGroup ?? "",
    location: "",
    tenantId: resource.tenantId,
    properties: {
      targetResourceId: resource.id,
      targetResourceType: resource.type,
      changeType,
      changeAttributes: { timestamp: at, changesCount: 1, previousResourceSnapshotId: null, newResourceSnapshotId: null },
      changes: {},
    },
  };
}

export { contentHash, stableJson } from "../src/domain/stable-json";

/** Deep copy of a tenant (the simulator never aliases the caller's objects). */
export function cloneTenant<T extends RawTenant>(t: T): T {
  return structuredClone(t);
}
