import type { Finding } from "../domain/finding";

/** Column contract of the Sentinel custom table AI_CSPMRecommendations_CL: the finding in PascalCase + TimeGenerated. */
export const SENTINEL_TABLE = "AI_CSPMRecommendations_CL";

export function pascalCase(key: string): string {
  return key.charAt(0).toUpperCase() + key.slice(1);
}

export function toSentinelRow(f: Finding, timeGenerated: string): Record<string, unknown> {
  const row: Record<string, unknown> = { TimeGenerated: timeGenerated };
  for (const [k, v] of Object.entries(f)) row[pascalCase(k)] = v;
  return row;
}
