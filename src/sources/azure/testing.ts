import type { RawTenant } from "../raw";

/** RawTenant part of a simulator tenant, arrays sorted by id, for comparison. */
export function normalize(t: RawTenant): RawTenant {
  const sort = <T extends { id?: unknown }>(xs: T[]) => [...xs].sort((a, b) => (String(a.id).toLowerCase() < String(b.id).toLowerCase() ? -1 : 1));
  return {
    tenantId: t.tenantId,
    resources: sort(t.resources),
    resourceContainers: sort(t.resourceContainers),
    securityResources: sort(t.securityResources),
    authorizationResources: sort(t.authorizationResources),
    activityLog: sort(t.activityLog),
    alerts: sort(t.alerts),
  };
}

