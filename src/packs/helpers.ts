import type { ArmResource } from "../domain/resource";
import type { Evaluation } from "./schema";

/** Reads a dotted property path (`properties.networkAcls.defaultAction`) from a resource; case-insensitive keys. */
export function prop(resource: unknown, path: string): unknown {
  let cur: unknown = resource;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    const obj = cur as Record<string, unknown>;
    if (part in obj) cur = obj[part];
    else {
      const key = Object.keys(obj).find((k) => k.toLowerCase() === part.toLowerCase());
      cur = key === undefined ? undefined : obj[key];
    }
  }
  return cur;
}

export function isType(resource: ArmResource, ...types: string[]): boolean {
  const t = resource.type.toLowerCase();
  return types.some((x) => x.toLowerCase() === t);
}

export const compliant = (reason: string, path?: string, value?: unknown): Evaluation => ({
  result: "compliant",
  reason,
  evidence: path ? [{ path, value }] : undefined,
});
export const noncompliant = (reason: string, path?: string, value?: unknown): Evaluation => ({
  result: "noncompliant",
  reason,
  evidence: path ? [{ path, value }] : undefined,
});
export const notApplicable = (reason: string): Evaluation => ({ result: "notApplicable", reason });

/** Quotes a value for a POSIX shell (az CLI lines). */
export function sh(value: string): string {
  return /^[A-Za-z0-9._\/:@=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Quotes a value for PowerShell. */
export function ps(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A terraform/bicep-safe identifier derived from a resource name. */
export function ident(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_]/g, "_");
  return /^[A-Za-z_]/.test(s) ? s : `r_${s}`;
}
