import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** A framework data file (frameworks/<id>.json), derived from a real built-in regulatory initiative. */
export interface FrameworkData {
  id: string;
  name: string;
  version: string;
  initiative: { id: string; displayName: string; version: string };
  derivedFrom: string;
  controls: { controlId: string; title?: string }[];
  /** Built-in policy definition GUID (lower-case) -> control ids. */
  policies: Record<string, string[]>;
  /** Versions of one standard share a family (cis-azure); absent in older data files. */
  family?: string;
  /** Initiative policyDefinitionReferenceId -> policy GUID (resolves Azure policy exemptions). */
  references?: Record<string, string>;
}

/** What frameworks/_meta/policies.json says about one built-in policy the frameworks map. */
export interface PolicyInfo {
  name: string;
  category: string;
  /** Effects an assignment may choose (lower-case, "disabled" left out). */
  effects: string[];
  /** The assignment parameter that picks the effect, when the effect is parameterized. */
  effectParameter?: string;
  /** automated: evaluates customer resources; manual: customer attestation; microsoft-managed: Microsoft's side. */
  kind: "automated" | "manual" | "microsoft-managed";
  deprecated?: true;
  /** The Defender assessment key this policy feeds, when known. */
  assessmentKey?: string;
}

/** Policy GUID (lower-case) out of a full policy definition id or a bare GUID. */
export function policyGuid(policyDefinitionId: string): string {
  return (policyDefinitionId.split("/").pop() ?? "").toLowerCase();
}

export const FRAMEWORKS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../frameworks");

export interface ControlRef {
  framework: string;
  version: string;
  controlId: string;
}

/** All frameworks and the policy -> controls index over them; loaded once. */
export class FrameworkCatalog {
  private byPolicy = new Map<string, ControlRef[]>();
  readonly policyIndex: Record<string, PolicyInfo>;

  constructor(
    readonly frameworks: FrameworkData[],
    policyIndex: Record<string, PolicyInfo> = {},
  ) {
    this.policyIndex = policyIndex;
    for (const fw of frameworks) {
      for (const [guid, controls] of Object.entries(fw.policies)) {
        const list = this.byPolicy.get(guid) ?? [];
        for (const controlId of controls) list.push({ framework: fw.id, version: fw.version, controlId });
        this.byPolicy.set(guid, list);
      }
    }
  }

  static load(dir = FRAMEWORKS_DIR): FrameworkCatalog {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .sort();
    const metaFile = join(dir, "_meta", "policies.json");
    const index = existsSync(metaFile) ? (JSON.parse(readFileSync(metaFile, "utf8")) as Record<string, PolicyInfo>) : {};
    return new FrameworkCatalog(
      files.map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as FrameworkData),
      index,
    );
  }

  /** Controls a built-in policy definition maps to, across every framework (policy id in any casing). */
  controlsForPolicy(policyDefinitionId: string | undefined | null): ControlRef[] {
    if (!policyDefinitionId) return [];
    return this.byPolicy.get((policyDefinitionId.split("/").pop() ?? "").toLowerCase()) ?? [];
  }

  get(id: string): FrameworkData | undefined {
    return this.frameworks.find((f) => f.id === id);
  }

  /** Facts about a mapped built-in policy (name, effects, manual or automated), by id or GUID. */
  policy(policyDefinitionId: string): PolicyInfo | undefined {
    return this.policyIndex[policyGuid(policyDefinitionId)];
  }

  /**
   * Controls a Defender recommendation (assessment key) maps to, through the built-in policy that feeds
   * it (the policy -> assessment links in the policy index).
   */
  controlsForRecommendation(assessmentKey: string): ControlRef[] {
    if (!this.byAssessment) {
      this.byAssessment = new Map();
      for (const [guid, info] of Object.entries(this.policyIndex))
        if (info.assessmentKey) this.byAssessment.set(info.assessmentKey.toLowerCase(), guid);
    }
    const guid = this.byAssessment.get(assessmentKey.toLowerCase());
    return guid ? this.controlsForPolicy(guid) : [];
  }

  private byAssessment?: Map<string, string>;

  /** Policy GUIDs mapped to one control of one framework. */
  policiesForControl(frameworkId: string, controlId: string): string[] {
    const fw = this.get(frameworkId);
    if (!fw) return [];
    return Object.entries(fw.policies)
      .filter(([, ids]) => ids.includes(controlId))
      .map(([guid]) => guid)
      .sort();
  }
}

let cached: FrameworkCatalog | undefined;
export function frameworkCatalog(): FrameworkCatalog {
  cached ??= FrameworkCatalog.load();
  return cached;
}
