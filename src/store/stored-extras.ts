import type { SubAssessment } from "../domain/records";
import type { Store } from "./store";

/** Meta keys the pipeline writes beside the main tables. */
export const META_SUBASSESSMENTS = "subAssessments";

/** Vulnerability sub-assessments of the last run (CVE ids per resource), for commands that rebuild analyses. */
export async function storedSubAssessments(store: Store): Promise<SubAssessment[]> {
  const raw = await store.getMeta(META_SUBASSESSMENTS);
  return raw ? (JSON.parse(raw) as SubAssessment[]) : [];
}
