import { InputError } from "../domain/errors";
import { EXPLAIN_SECTIONS, type ExplainSection } from "./schema";

/** Parses `explain.md` into its fixed sections; names the file and the missing section on error. */
export function parseExplainMd(text: string, file: string): Record<ExplainSection, string> {
  const sections: Partial<Record<string, string>> = {};
  let current: string | undefined;
  const lines = text.split(/\r?\n/);
  for (const line of lines) {
    const h = /^##\s+(.+?)\s*$/.exec(line);
    if (h) {
      current = h[1];
      sections[current] = "";
      continue;
    }
    if (current !== undefined) sections[current] += `${line}\n`;
  }
  const out = {} as Record<ExplainSection, string>;
  for (const name of EXPLAIN_SECTIONS) {
    const body = sections[name]?.trim();
    if (!body) throw new InputError(`section '## ${name}' is missing or empty`, { file });
    out[name] = body.replace(/\s*\n\s*/g, " ");
  }
  return out;
}
