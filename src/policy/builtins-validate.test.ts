import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { needShared, realdata } from "../testing/shared";
import { validatePolicy } from "./parse";

describe.skipIf(!needShared("policy: every built-in definition validates"))("built-in policy definitions", () => {
  it("every definition in realdata parses and validates; provider modes are listed as refused", () => {
    const lines = readFileSync(realdata("azure-policy", "policyDefinitions.jsonl"), "utf8").split("\n").filter(Boolean);
    const invalid: string[] = [];
    const refused = new Map<string, number>();
    for (const line of lines) {
      const row = JSON.parse(line.replace(/^\uFEFF/, "")) as { path: string; definition: unknown };
      const v = validatePolicy(row.definition);
      if (!v.valid) invalid.push(`${row.path}: ${v.errors.map((e) => `${e.pointer} ${e.message}`).join("; ")}`);
      if (v.notEvaluable) {
        const mode = v.definition?.mode ?? "?";
        refused.set(mode, (refused.get(mode) ?? 0) + 1);
      }
    }
    console.log(
      `policy: ${lines.length - invalid.length}/${lines.length} built-in definitions valid; refused for offline evaluation: ${[...refused].map(([m, n]) => `${m}=${n}`).join(", ")}`,
    );
    expect(lines.length).toBeGreaterThan(5000);
    expect(invalid).toEqual([]);
  });
});
