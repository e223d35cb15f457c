// The findings list, page and facet shapes are the server's own (plain types, no runtime import).
export type { Facets, FindingPage, FindingRow } from "../../src/server/api-types";

/** Thin client for /api/v1 with the signed-in token; errors carry the server's code and message. */
const TOKEN_KEY = "clarion.token";

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}
export function setToken(t: string | null): void {
  if (t) sessionStorage.setItem(TOKEN_KEY, t);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

export async function api<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const token = getToken();
  const res = await fetch(path, {
    method: init.method ?? "GET",
    signal: init.signal,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(init.body !== undefined ? { "content-type": "application/json" } : {}),
    },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    if (res.status === 401) onUnauthorized();
    const e = data?.error ?? {};
    throw new ApiError(res.status, e.code ?? "HTTP_ERROR", e.message ?? res.statusText, e.hint);
  }
  return data as T;
}

export function qs(params: Record<string, string | number | boolean | undefined | null | string[]>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0)) continue;
    u.set(k, Array.isArray(v) ? v.join(",") : String(v));
  }
  const s = u.toString();
  return s ? `?${s}` : "";
}

export interface Me {
  id: string;
  name: string;
  role: string;
  permissions: string[];
  via: string;
}

export interface Remediation {
  kind: string;
  title?: string;
  content: string;
  rollback: string;
  precheck?: string;
  requiredRole?: string;
  downtime?: string;
}

export interface Finding {
  id: string;
  resourceId: string;
  resourceName: string;
  resourceType: string;
  subscriptionId: string;
  resourceGroup: string;
  environment: string;
  recommendation: { id: string; name: string; severity: string; category: string; policyDefinitionId?: string | null; packId?: string | null };
  status: string;
  risk: { score: number; level: string; factors: { name: string; value: string | number | boolean; weight: number; points: number; reason: string }[] };
  owner: { name: string; email: string | null; source: string };
  controls: { framework: string; version: string; controlId: string }[];
  attackPaths: string[];
  rootCause: { changeId: string; caller: string; time: string; operation: string } | null;
  explanation: {
    summary: string;
    businessImpact: string;
    complianceImpact: string;
    recommendedAction?: string;
    citations: { factId: string; value: string; source: string }[];
    engine: string;
    model: string | null;
    grounding: number;
  };
  remediation: Remediation[];
  exemption: { id: string; category: string; justification: string; owner: string; expiresOn: string | null } | null;
  dossier?: { id: string; value: string; source: string }[];
  firstSeen?: string;
}

export interface AttackPath {
  id: string;
  target: string;
  targetName: string;
  hops: string[];
  steps: string[];
  risk: number;
  summary: string;
  reasons: string[];
}

export type ApprovalState = "draft" | "pending-review" | "approved" | "rejected" | "needs-info" | "scheduled" | "deployed" | "verified" | "rolled-back";

/** An approval from the workflow engine (src/workflow) plus the queue's view fields. */
export interface Approval {
  id: string;
  findingId: string;
  title: string;
  scope: string;
  subscriptionId: string;
  environment: string;
  state: ApprovalState;
  author: string;
  createdAt: string;
  updatedAt: string;
  policyName: string;
  targetEffect: string;
  fixKind: string;
  blastRadius: number | null;
  blastRadiusNote?: string;
  requiredApprovals: number;
  approvals: { actor: string; time: string; reason: string }[];
  scheduledFor?: string;
  deployment?: { definitionVersion: string; stages: string[]; resourcesAffected: number | null; deployedAt: string; assignmentId: string };
  history: { from: ApprovalState | null; to: ApprovalState; actor: string; time: string; reason: string }[];
  phase: string;
  resourceName: string | null;
  recommendation: string | null;
  riskScore: number | null;
}

export interface Incident {
  incidentArmId: string;
  incidentNumber: number | null;
  incidentUrl: string | null;
  title: string;
  severity: string | null;
  status: string | null;
  createdTimeUtc: string | null;
  source: string;
  findingIds: string[];
  receivedAt: string;
}

export interface AuditEvent {
  seq: number;
  time: string;
  actor: string;
  action: string;
  subject: string;
  digest: string;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}
