import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeConfig, loadConfig } from "./config";

const empty = mkdtempSync(join(tmpdir(), "clarion-cfg-"));

describe("config", () => {
  it("defaults to the offline engine with redaction on", () => {
    const c = loadConfig({ env: {}, cwd: empty });
    expect(c.llm.provider).toBe("offline");
    expect(c.llm.redaction.enabled).toBe(true);
    expect(c.llm.concurrency).toBeGreaterThan(0);
  });
  it("reads CLARION_LLM_* from the environment over the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "clarion-cfg-"));
    writeFileSync(
      join(dir, "clarion.config.json"),
      JSON.stringify({ llm: { provider: "openai-compatible", baseUrl: "http://127.0.0.1:1/v1", model: "file-model", concurrency: 2 } }),
    );
    const c = loadConfig({
      cwd: dir,
      env: {
        CLARION_LLM_MODEL: "env-model",
        CLARION_LLM_API_KEY: "sk-secret",
        CLARION_LLM_TIMEOUT_MS: "1234",
        CLARION_REDACT_EMAILS: "false",
      },
    });
    expect(c.llm).toMatchObject({ provider: "openai-compatible", model: "env-model", concurrency: 2, timeoutMs: 1234 });
    expect(c.llm.redaction.emails).toBe(false);
    expect(JSON.stringify(describeConfig(c))).not.toContain("sk-secret");
  });
  it("names the field when a value is wrong, and requires a URL and model for a provider", () => {
    expect(() => loadConfig({ cwd: empty, env: { CLARION_LLM_PROVIDER: "gpt" } })).toThrow(/llm.provider/);
    expect(() => loadConfig({ cwd: empty, env: { CLARION_LLM_TIMEOUT_MS: "soon" } })).toThrow(/CLARION_LLM_TIMEOUT_MS/);
    expect(() => loadConfig({ cwd: empty, env: { CLARION_LLM_PROVIDER: "azure-openai" } })).toThrow(/base URL/);
    expect(() => loadConfig({ cwd: empty, env: {}, file: "missing.json" })).toThrow(/not found/);
  });
});
