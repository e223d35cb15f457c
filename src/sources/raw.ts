import type { ArmResource } from "../domain/resource";

/**
 * A tenant's raw data in Azure's own shapes, before normalization. The demo generator emits it, the
 * simulator serves it through the Azure APIs, file exports and live clients yield the same shapes.
 *
 * - `resources`: ARG `resources` table rows (type lower-cased as ARG returns it).
 * - `resourceContainers`: ARG `resourcecontainers` rows (subscriptions and resource groups, with tags).
 * - `securityResources`: ARG `securityresources` rows: assessments, sub-assessments, secure scores and
 *   their controls, regulatory compliance standards/controls/assessments, pricings (Defender plans).
 * - `authorizationResources`: ARG `authorizationresources` rows (role assignments and definitions).
 * - `activityLog`: Activity Log REST events (`Microsoft.Insights/eventtypes/management/values` items).
 * - `alerts`: Defender alerts REST resources (`Microsoft.Security/alerts`, 2022-01-01 shape).
 */
export interface RawTenant {
  tenantId: string;
  resources: ArmResource[];
  resourceContainers: ArmResource[];
  securityResources: ArmResource[];
  authorizationResources: ArmResource[];
  activityLog: Record<string, unknown>[];
  alerts: Record<string, unknown>[];
}
