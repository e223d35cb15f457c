import { createHash } from "node:crypto";
import type { ArmResource } from "../domain/resource";
import { whatIf } from "../policy";
import type { Approval, DeploymentRecord } from "./model";
import { type ArmDoc, PolicyWriteClient } from "./policy-client";

/** api-version used to GET/PATCH a resource for property rollback (per provider type; generic fallback). */
const RESOURCE_API: Record<string, string> = {
  "microsoft.storage/storageaccounts": "2023-05-01",
  "microsoft.web/sites": "2023-12-01",
  "microsoft.keyvault/vaults": "2023-07-01",
  "microsoft.sql/servers": "2023-08-01-preview",
  "microsoft.network/networksecuritygroups": "2024-01-01",
  "microsoft.compute/virtualmachines": "2024-03-01",
};
const DEFAULT_RESOURCE_API = "2023-01-01";

export function resourceApiVersion(id: string): string {
  const m = /\/providers\/([^/]+\/[^/]+)\/[^/]+$/i.exec(id);
  return (m && RESOURCE_API[m[1].toLowerCase()]) || DEFAULT_RESOURCE_API;
}

/** `Namespace/type/prop.sub` → ["properties","prop","sub"] for plain property aliases (no `[*]`). */
export function aliasPath(alias: string): string[] | undefined {
  const i = alias.lastIndexOf("/");
  const rest = i < 0 ? "" : alias.slice(i + 1);
  if (!rest || rest.includes("[")) return undefined;
  return ["properties", ...rest.split(".")];
}

function getPath(o: ArmDoc | null | undefined, path: string[]): unknown {
  let cur: unknown = o;
  for (const k of path) cur = cur && typeof cur === "object" ? (cur as ArmDoc)[k] : undefined;
  return cur;
}

function setPath(o: ArmDoc, path: string[], v: unknown): void {
  let cur = o;
  for (const k of path.slice(0, -1)) cur = cur[k] ??= {};
  cur[path[path.length - 1]] = v;
}

function bumpPatch(v: string | undefined): string {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(v ?? "");
  return m ? `${m[1]}.${m[2]}.${Number(m[3]) + 1}` : "1.0.0";
}

/** A deterministic GUID (role assignment names must be GUIDs; the same inputs give the same name, so PUT stays idempotent). */
export function guidFrom(...parts: string[]): string {
  const h = createHash("sha256").update(parts.join("|")).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Strips read-only fields so a GET body can be PUT back. */
function writable(doc: ArmDoc): ArmDoc {
  const { id: _i, name: _n, type: _t, systemData: _s, ...rest } = doc;
  const props = { ...(rest.properties ?? {}) };
  delete props.scope;
  const out: ArmDoc = { ...rest, properties: props };
  if (out.identity)
    out.identity = {
      type: out.identity.type,
      ...(out.identity.userAssignedIdentities ? { userAssignedIdentities: out.identity.userAssignedIdentities } : {}),
    };
  return out;
}

export interface DeployOptions {
  location: string;
  resources: ArmResource[];
  now: string;
}

/** Thrown when a deploy failed mid-way; `undone` tells whether the partial changes were rolled back. */
export class DeployStepError extends Error {
  constructor(
    message: string,
    readonly undone: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Definition → assignment (audit effect) → what-if → assignment (target effect) → role assignments →
 * remediation task. Records the state before every write so `executeRollback` restores it exactly.
 */
export async function executeDeploy(client: PolicyWriteClient, a: Approval, opts: DeployOptions): Promise<DeploymentRecord> {
  const scope = a.scope;
  const name = a.policyName;
  const props = structuredClone((a.policy as ArmDoc).properties) as ArmDoc;
  const previousDefinition = await client.getDefinition(scope, name);
  const previousAssignment = await client.getAssignment(scope, name);
  const version = previousDefinition
    ? bumpPatch(previousDefinition.properties?.version ?? previousDefinition.properties?.metadata?.version)
    : (props.version ?? "1.0.0");
  props.version = version;
  props.metadata = { ...(props.metadata ?? {}), version, clarionApprovalId: a.id };
  const effectParam = /^\[parameters\('([^']+)'\)\]$/.exec(String(props.policyRule?.then?.effect ?? ""))?.[1];
  const target = a.targetEffect.toLowerCase();
  const ifNotExists = target.endsWith("ifnotexists");
  const auditEffect = ifNotExists ? "AuditIfNotExists" : "Audit";
  if (effectParam) {
    const p = (props.parameters ??= {})[effectParam] ?? { type: "String" };
    const allowed = new Set<string>((p.allowedValues as string[] | undefined) ?? []);
    allowed.add(auditEffect);
    allowed.add(a.targetEffect);
    p.allowedValues = [...allowed];
    props.parameters[effectParam] = p;
  }
  const record: DeploymentRecord = {
    scope,
    definitionId: PolicyWriteClient.definitionPath(scope, name),
    assignmentId: PolicyWriteClient.assignmentPath(scope, name),
    previousDefinition,
    previousAssignment,
    definitionVersion: version,
    effect: auditEffect,
    stages: [],
    reverts: [],
    roleAssignmentIds: [],
    resourcesAffected: null,
    deployedAt: opts.now,
  };
  try {
    await client.putDefinition(scope, name, { properties: props });
    record.stages.push("definition");
    const assignmentBody = (effect: string, identity: boolean): ArmDoc => ({
      ...(identity ? { location: opts.location, identity: { type: "SystemAssigned" } } : {}),
      properties: {
        displayName: String(props.displayName ?? name).slice(0, 128),
        description: `Deployed by Clarion for approval ${a.id} (finding ${a.findingId}).`,
        policyDefinitionId: record.definitionId,
        parameters: effectParam ? { [effectParam]: { value: effect } } : {},
        enforcementMode: "Default",
        metadata: { assignedBy: "clarion", approvalId: a.id },
        nonComplianceMessages: [{ message: `${a.title}`.slice(0, 512) }],
      },
    });
    // Stage 1: audit only.
    await client.putAssignment(scope, name, assignmentBody(auditEffect, false));
    record.stages.push("audit");
    // What-if of the target effect over the inventory in scope.
    const inScope = opts.resources.filter((r) => r.id.toLowerCase().startsWith(`${scope.toLowerCase()}/`));
    let noncompliant: string[] = [];
    try {
      const wi = whatIf({ properties: props }, inScope, { params: effectParam ? { [effectParam]: a.targetEffect } : {}, reasons: "none" });
      noncompliant = wi.resources.filter((r) => r.result === "noncompliant").map((r) => r.id);
      record.resourcesAffected = wi.counts.noncompliant;
    } catch {
      record.resourcesAffected = null;
    }
    if (["deny", "modify", "deployifnotexists"].includes(target)) {
      const needsIdentity = target !== "deny";
      const asg = await client.putAssignment(scope, name, assignmentBody(a.targetEffect, needsIdentity));
      record.effect = a.targetEffect;
      record.stages.push("enforce");
      if (needsIdentity) {
        const principalId = String(asg.identity?.principalId ?? "");
        for (const rid of (props.policyRule?.then?.details?.roleDefinitionIds ?? []) as string[]) {
          const raName = guidFrom(record.assignmentId, rid);
          const ra = await client.putRoleAssignment(
            scope,
            raName,
            rid.startsWith("/subscriptions/") || !scope.startsWith("/subscriptions/") ? rid : `${scope}${rid}`,
            principalId,
          );
          record.roleAssignmentIds?.push(String(ra.id ?? `${scope}/providers/Microsoft.Authorization/roleAssignments/${raName}`));
        }
        // Capture the properties a modify will change, before it changes them.
        const ops = (props.policyRule?.then?.details?.operations ?? []) as ArmDoc[];
        if (target === "modify")
          for (const id of noncompliant) {
            const api = resourceApiVersion(id);
            const current = await client.getResource(id, api);
            if (!current) continue;
            const before: ArmDoc = {};
            for (const op of ops) {
              const path = aliasPath(String(op.field));
              if (path) setPath(before, path, getPath(current, path) ?? null);
            }
            record.reverts.push({ resourceId: id, before });
          }
        const remName = `clarion-${a.id}`.toLowerCase();
        await client.putRemediation(scope, remName, {
          properties: { policyAssignmentId: record.assignmentId, resourceDiscoveryMode: "ExistingNonCompliant" },
        });
        record.remediationId = `${scope}/providers/Microsoft.PolicyInsights/remediations/${remName}`;
        record.stages.push("remediate");
      }
    }
    return record;
  } catch (e) {
    let undone = false;
    try {
      await executeRollback(client, record);
      undone = true;
    } catch {
      undone = false;
    }
    throw new DeployStepError(
      `deploy failed after stages [${record.stages.join(", ")}]: ${(e as Error).message}${undone ? " (partial changes undone)" : ""}`,
      undone,
      { cause: e },
    );
  }
}

/** Restores what `executeDeploy` changed, newest first. Returns the steps taken. */
export async function executeRollback(client: PolicyWriteClient, rec: DeploymentRecord): Promise<string[]> {
  const steps: string[] = [];
  for (const r of rec.reverts) {
    await client.patchResource(r.resourceId, resourceApiVersion(r.resourceId), r.before);
    steps.push(`reverted ${r.resourceId}`);
  }
  for (const id of rec.roleAssignmentIds ?? []) {
    await client.deleteRoleAssignment(id);
    steps.push(`removed role assignment ${id}`);
  }
  const name = rec.assignmentId.split("/").pop() as string;
  if (rec.previousAssignment) {
    await client.putAssignment(rec.scope, name, writable(rec.previousAssignment));
    steps.push("restored previous assignment");
  } else {
    await client.deleteAssignment(rec.scope, name);
    steps.push("removed assignment");
  }
  const defName = rec.definitionId.split("/").pop() as string;
  if (rec.previousDefinition) {
    await client.putDefinition(rec.scope, defName, { properties: writable(rec.previousDefinition).properties });
    steps.push(`restored definition version ${(rec.previousDefinition as ArmDoc).properties?.version ?? "(unversioned)"}`);
  } else {
    await client.deleteDefinition(rec.scope, defName);
    steps.push("removed definition");
  }
  return steps;
}

/** What differs between the live state and the deployment record (empty = as recorded). */
export async function verifyDeployment(client: PolicyWriteClient, rec: DeploymentRecord): Promise<string[]> {
  const problems: string[] = [];
  const name = rec.assignmentId.split("/").pop() as string;
  const asg = await client.getAssignment(rec.scope, name);
  if (!asg) problems.push("assignment is missing");
  else {
    const values = Object.values((asg.properties?.parameters ?? {}) as Record<string, { value?: unknown }>).map((v) =>
      String(v?.value ?? "").toLowerCase(),
    );
    if (values.length && !values.includes(rec.effect.toLowerCase())) problems.push(`assignment effect is not ${rec.effect}`);
  }
  const def = await client.getDefinition(rec.scope, rec.definitionId.split("/").pop() as string);
  if (!def) problems.push("definition is missing");
  else if (def.properties?.version && (def.properties as ArmDoc).version !== rec.definitionVersion)
    problems.push(`definition version is ${def.properties.version}, not ${rec.definitionVersion}`);
  if (rec.remediationId) {
    const parts = rec.remediationId.split("/");
    const rem = await client.getRemediation(rec.scope, parts[parts.length - 1]);
    const st = rem?.properties?.provisioningState;
    if (st !== "Succeeded" && st !== "Complete") problems.push(`remediation is ${st ?? "missing"}`);
  }
  return problems;
}
