import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import MiniSearch from "minisearch";
import { InputError } from "../domain/errors";
import type { Fact } from "../domain/finding";

/**
 * Retrieval over the organization's own playbooks: a folder of Markdown, chunked by heading (and by size),
 * indexed with BM25 (minisearch), and offered to the model as facts `playbook.<file>#<chunk>` that the
 * explanation may cite. Playbook text is the organization's, but still data: it travels in the data channel.
 */
export interface PlaybookChunk {
  id: string;
  file: string;
  chunk: number;
  heading: string;
  text: string;
}

const MAX_CHUNK = 900;

export function chunkMarkdown(file: string, md: string): PlaybookChunk[] {
  const out: PlaybookChunk[] = [];
  const sections: { heading: string; body: string[] }[] = [{ heading: "", body: [] }];
  for (const line of md.split(/\r?\n/)) {
    const h = /^#{1,4}\s+(.*)$/.exec(line);
    if (h) sections.push({ heading: h[1].trim(), body: [] });
    else sections[sections.length - 1].body.push(line);
  }
  for (const s of sections) {
    const paras = s.body
      .join("\n")
      .split(/\n\s*\n/)
      .map((p) => p.replace(/\s+/g, " ").trim())
      .filter(Boolean);
    let buf = "";
    const flush = () => {
      if (!buf.trim()) return;
      const n = out.length + 1;
      out.push({ id: `playbook.${file}#${n}`, file, chunk: n, heading: s.heading, text: buf.trim() });
      buf = "";
    };
    for (const p of paras) {
      if (buf && buf.length + p.length > MAX_CHUNK) flush();
      buf += (buf ? " " : "") + (p.length > MAX_CHUNK ? p.slice(0, MAX_CHUNK) : p);
    }
    flush();
  }
  return out;
}

export class PlaybookIndex {
  private readonly search: MiniSearch<PlaybookChunk>;
  readonly chunks: PlaybookChunk[];
  constructor(
    chunks: PlaybookChunk[],
    readonly minScore = 2,
    readonly limit = 2,
  ) {
    this.chunks = chunks;
    this.search = new MiniSearch<PlaybookChunk>({
      fields: ["heading", "text"],
      storeFields: ["id"],
      searchOptions: { boost: { heading: 2 }, prefix: false, fuzzy: false },
    });
    this.search.addAll(chunks);
  }

  /** Loads every `*.md` under a folder (recursively). */
  static fromDir(dir: string): PlaybookIndex {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError("playbooks folder not found", { file: dir });
    const chunks: PlaybookChunk[] = [];
    const walk = (d: string) => {
      for (const name of readdirSync(d).sort()) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.md$/i.test(name))
          chunks.push(
            ...chunkMarkdown(relative(dir, p).replace(/\\/g, "/"), readFileSync(p, "utf8")).map((c, i) => ({
              ...c,
              id: c.id.replace(/#\d+$/, `#${i + 1}`),
              chunk: i + 1,
            })),
          );
      }
    };
    walk(dir);
    return new PlaybookIndex(chunks);
  }

  query(q: string): { chunk: PlaybookChunk; score: number }[] {
    const byId = new Map(this.chunks.map((c) => [c.id, c]));
    return this.search
      .search(q, { combineWith: "OR" })
      .filter((r) => r.score >= this.minScore)
      .slice(0, this.limit)
      .map((r) => ({ chunk: byId.get(r.id as string) as PlaybookChunk, score: r.score }));
  }

  /** The best chunks for a query, as dossier facts. */
  factsFor(q: string): Fact[] {
    return this.query(q).map(({ chunk }) => ({
      id: chunk.id,
      value: chunk.text.length > 400 ? `${chunk.text.slice(0, 399)}…` : chunk.text,
      source: `playbook ${chunk.file}${chunk.heading ? ` section "${chunk.heading}"` : ""}`,
    }));
  }
}
