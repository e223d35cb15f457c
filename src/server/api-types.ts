/**
 * The findings API's answer shapes, shared by the server (src/server/data.ts) and the dashboard (web/src/api.ts):
 * plain types with no imports, so the browser build can take them as they are.
 */

/** One row of the findings table: what the list view needs, without the dossier and remediation bodies. */
export interface FindingRow {
  id: string;
  resourceId: string;
  resourceName: string;
  resourceType: string;
  resourceGroup: string;
  subscriptionId: string;
  environment: string;
  severity: string;
  status: string;
  recommendation: string;
  category: string;
  riskScore: number;
  riskLevel: string;
  owner: string;
  ownerEmail: string | null;
  frameworks: string[];
  exempt: boolean;
}

export interface FindingPage {
  items: FindingRow[];
  total: number;
  limit: number;
  offset: number;
  nextCursor: string | null;
}

/** Counts per severity, level, status, environment, framework, subscription, and the owners list. */
export interface Facets {
  total: number;
  severity: Record<string, number>;
  level: Record<string, number>;
  status: Record<string, number>;
  environment: Record<string, number>;
  framework: Record<string, number>;
  subscription: Record<string, number>;
  owner: Record<string, number>;
}
