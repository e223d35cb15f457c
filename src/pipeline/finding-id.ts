import { createHash } from "node:crypto";

/** A finding's stable id, derived from its assessment id (case-insensitive), so re-runs keep ids. */
export function findingId(assessmentId: string): string {
  return `F-${createHash("sha256").update(assessmentId.toLowerCase()).digest("hex").slice(0, 12)}`;
}
