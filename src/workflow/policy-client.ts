import type { TokenCredential } from "@azure/core-auth";
import { createHttpPipeline, type HttpPipeline, type HttpPipelineOptions, sendJson } from "../http";
import { resolveConnection } from "../sources/azure/config";

/** api-versions of the write operations (docs/api-contracts.md 3.1). */
export const POLICY_WRITE_API = {
  definitions: "2023-04-01",
  assignments: "2023-04-01",
  exemptions: "2022-07-01-preview",
  remediations: "2021-10-01",
  roleAssignments: "2022-04-01",
} as const;

export type ArmDoc = Record<string, any>;

export interface PolicyWriteClientOptions {
  armEndpoint?: string;
  credential?: TokenCredential;
  token?: string;
  ca?: string;
  retry?: HttpPipelineOptions["retry"];
  onTrace?: HttpPipelineOptions["onTrace"];
}

/**
 * Azure Policy write client (definitions, assignments, exemptions, remediations, resource PATCH for
 * rollback) over the shared outbound pipeline. ARM PUTs are idempotent by name, so retries are safe.
 */
export class PolicyWriteClient {
  readonly http: HttpPipeline;
  readonly armEndpoint: string;

  constructor(opts: PolicyWriteClientOptions = {}) {
    const conn = resolveConnection({ armEndpoint: opts.armEndpoint, credential: opts.credential, token: opts.token, ca: opts.ca });
    this.armEndpoint = conn.armEndpoint;
    this.http = createHttpPipeline({
      credential: conn.credential,
      scopes: conn.cloud.armScope,
      ca: conn.ca,
      retry: opts.retry ?? { maxRetries: 3 },
      onTrace: opts.onTrace,
      userAgent: "clarion/0.1 (deploy)",
    });
  }

  url(path: string, apiVersion: string): string {
    return `${this.armEndpoint}${path}?api-version=${apiVersion}`;
  }

  private async getOrNull(path: string, apiVersion: string): Promise<ArmDoc | null> {
    const r = await sendJson<ArmDoc>(this.http, { method: "GET", url: this.url(path, apiVersion), acceptStatus: [404] });
    return r.status === 404 ? null : r.body;
  }

  private async put(path: string, apiVersion: string, body: unknown): Promise<ArmDoc> {
    return (await sendJson<ArmDoc>(this.http, { method: "PUT", url: this.url(path, apiVersion), body })).body;
  }

  private async del(path: string, apiVersion: string): Promise<void> {
    await sendJson(this.http, { method: "DELETE", url: this.url(path, apiVersion), acceptStatus: [404] });
  }

  static definitionPath(scope: string, name: string): string {
    return `${scope}/providers/Microsoft.Authorization/policyDefinitions/${name}`;
  }
  static assignmentPath(scope: string, name: string): string {
    return `${scope}/providers/Microsoft.Authorization/policyAssignments/${name}`;
  }

  getDefinition(scope: string, name: string) {
    return this.getOrNull(PolicyWriteClient.definitionPath(scope, name), POLICY_WRITE_API.definitions);
  }
  putDefinition(scope: string, name: string, body: { properties: ArmDoc }) {
    return this.put(PolicyWriteClient.definitionPath(scope, name), POLICY_WRITE_API.definitions, body);
  }
  deleteDefinition(scope: string, name: string) {
    return this.del(PolicyWriteClient.definitionPath(scope, name), POLICY_WRITE_API.definitions);
  }
  getAssignment(scope: string, name: string) {
    return this.getOrNull(PolicyWriteClient.assignmentPath(scope, name), POLICY_WRITE_API.assignments);
  }
  putAssignment(scope: string, name: string, body: ArmDoc) {
    return this.put(PolicyWriteClient.assignmentPath(scope, name), POLICY_WRITE_API.assignments, body);
  }
  deleteAssignment(scope: string, name: string) {
    return this.del(PolicyWriteClient.assignmentPath(scope, name), POLICY_WRITE_API.assignments);
  }
  putExemption(scope: string, name: string, body: ArmDoc) {
    return this.put(`${scope}/providers/Microsoft.Authorization/policyExemptions/${name}`, POLICY_WRITE_API.exemptions, body);
  }
  deleteExemption(scope: string, name: string) {
    return this.del(`${scope}/providers/Microsoft.Authorization/policyExemptions/${name}`, POLICY_WRITE_API.exemptions);
  }
  putRemediation(scope: string, name: string, body: ArmDoc) {
    return this.put(`${scope}/providers/Microsoft.PolicyInsights/remediations/${name}`, POLICY_WRITE_API.remediations, body);
  }
  getRemediation(scope: string, name: string) {
    return this.getOrNull(`${scope}/providers/Microsoft.PolicyInsights/remediations/${name}`, POLICY_WRITE_API.remediations);
  }
  /** Grants the assignment's managed identity a role (REST does not do it for you; docs/api-contracts.md 3.3). */
  putRoleAssignment(scope: string, name: string, roleDefinitionId: string, principalId: string) {
    return this.put(`${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`, POLICY_WRITE_API.roleAssignments, {
      properties: { roleDefinitionId, principalId, principalType: "ServicePrincipal" },
    });
  }
  deleteRoleAssignment(id: string) {
    return this.del(id, POLICY_WRITE_API.roleAssignments);
  }
  /** GET/PATCH of an ARM resource at its provider's api-version (rollback of remediated properties). */
  async getResource(id: string, apiVersion: string): Promise<ArmDoc | null> {
    return this.getOrNull(id, apiVersion);
  }
  async patchResource(id: string, apiVersion: string, patch: ArmDoc): Promise<ArmDoc> {
    return (await sendJson<ArmDoc>(this.http, { method: "PATCH", url: this.url(id, apiVersion), body: patch })).body;
  }

  close(): void {
    this.http.close();
  }
}
