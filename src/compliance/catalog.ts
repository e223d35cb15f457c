import { readdirSync, readFileSync } from "node:fs";
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

  constructor(readonly frameworks: FrameworkData[]) {
    for (const fw of frameworks) {
      for (const [guid, controls] of Object.entries(fw.policies)) {
        const list = this.byPolicy.get(guid) ?? [];
        for (const controlId of controls) list.push({ framework: fw.id, version: fw.version, controlId });
        this.byPolicy.set(guid, list);
      }
    }
  }

  static load(dir = FRAMEWORKS_DIR): FrameworkCatalog {
    const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
    return new FrameworkCatalog(files.map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as FrameworkData));
  }

  /** Controls a built-in policy definition maps to, across every framework (policy id in any casing). */
  controlsForPolicy(policyDefinitionId: string | undefined | null): ControlRef[] {
    if (!policyDefinitionId) return [];
    return this.byPolicy.get((policyDefinitionId.split("/").pop() ?? "").toLowerCase()) ?? [];
  }

  get(id: string): FrameworkData | undefined {
    return this.frameworks.find((f) => f.id === id);
  }
}

let cached: FrameworkCatalog | undefined;
export function frameworkCatalog(): FrameworkCatalog {
  cached ??= FrameworkCatalog.load();
  return cached;
}
