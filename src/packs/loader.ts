import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import YAML from "yaml";
import { InputError } from "../domain/errors";
import { parseExplainMd } from "./explain-md";
import { type Pack, PackMetaSchema, type PackModule } from "./schema";

export const PACKS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../packs");

export interface LoadedPacks {
  packs: Pack[];
  /** Packs that failed to load: recorded, never fatal (one bad pack never fails a run). */
  errors: { dir: string; message: string }[];
}

/** Lists pack folders: packs/<service>/<pack-id>/pack.yaml. */
export function listPackDirs(root = PACKS_DIR): string[] {
  if (!existsSync(root)) return [];
  const dirs: string[] = [];
  for (const service of readdirSync(root, { withFileTypes: true })) {
    if (!service.isDirectory()) continue;
    for (const pack of readdirSync(join(root, service.name), { withFileTypes: true })) {
      const dir = join(root, service.name, pack.name);
      if (pack.isDirectory() && existsSync(join(dir, "pack.yaml"))) dirs.push(dir);
    }
  }
  return dirs.sort();
}

export async function loadPack(dir: string): Promise<Pack> {
  const yamlFile = join(dir, "pack.yaml");
  const parsed = PackMetaSchema.safeParse(YAML.parse(readFileSync(yamlFile, "utf8")));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(issue.message, { file: yamlFile, field: issue.path.join(".") || undefined });
  }
  const meta = parsed.data;
  const folder = dir.split(/[\\/]/).pop();
  if (folder !== meta.id) throw new InputError(`pack id '${meta.id}' must equal its folder name '${folder}'`, { file: yamlFile, field: "id" });
  const explainFile = join(dir, "explain.md");
  const explain = parseExplainMd(readFileSync(explainFile, "utf8"), explainFile);
  const evaluateMod = (await import(pathToFileURL(join(dir, "evaluate.ts")).href)) as Partial<PackModule>;
  const remediateMod = (await import(pathToFileURL(join(dir, "remediate.ts")).href)) as Partial<PackModule>;
  if (typeof evaluateMod.evaluate !== "function") throw new InputError("evaluate.ts must export function evaluate", { file: join(dir, "evaluate.ts") });
  if (typeof remediateMod.remediate !== "function") throw new InputError("remediate.ts must export function remediate", { file: join(dir, "remediate.ts") });
  return { meta, explain, dir, module: { evaluate: evaluateMod.evaluate, remediate: remediateMod.remediate } };
}

let cache: Promise<LoadedPacks> | undefined;

/** Loads every pack once per process. */
export function loadAllPacks(root = PACKS_DIR): Promise<LoadedPacks> {
  if (root !== PACKS_DIR) return loadFrom(root);
  cache ??= loadFrom(root);
  return cache;
}

async function loadFrom(root: string): Promise<LoadedPacks> {
  const results = await Promise.allSettled(listPackDirs(root).map((d) => loadPack(d)));
  const packs: Pack[] = [];
  const errors: LoadedPacks["errors"] = [];
  const dirs = listPackDirs(root);
  results.forEach((r, i) => {
    if (r.status === "fulfilled") packs.push(r.value);
    else errors.push({ dir: dirs[i], message: (r.reason as Error).message });
  });
  return { packs, errors };
}
