import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeFinding, smallEstate } from "../../test/llm/fixtures";
import {
  groundedResponder,
  hallucinatingResponder,
  malformedResponder,
  type ScriptedServer,
  slowResponder,
  startScriptedServer,
  throttleFirst,
} from "../../test/llm/scripted-server";
import { type ClarionConfig, ConfigSchema } from "../config/config";
import { SqliteStore } from "../store/sqlite-store";
import { explainStage } from "./explain-stage";

let server: ScriptedServer;
beforeAll(async () => {
  server = await startScriptedServer();
});
afterAll(async () => server.close());

function cfg(llm: Record<string, unknown> = {}): ClarionConfig {
  return ConfigSchema.parse({ llm: { provider: "openai-compatible", baseUrl: server.url, model: "scripted-1", maxRetries: 1, ...llm } });
}
async function store() {
  const s = new SqliteStore(":memory:");
  await s.migrate();
  return s;
}
const now = new Date("2025-03-11T12:00:00Z");

describe("explainStage", () => {
  it("returns the findings unchanged when the provider is offline (the default)", async () => {
    const findings = smallEstate(6);
    const r = await explainStage({ findings, packsById: new Map(), store: await store(), now, config: ConfigSchema.parse({}) });
    expect(r.findings).toBe(findings);
    expect(r.usage).toBeUndefined();
  });

  it("asks once per (pack, context class), fills each finding's own values and cites only its dossier", async () => {
    server.setScript(groundedResponder);
    server.requests.length = 0;
    const findings = smallEstate(24);
    const st = await store();
    const r = await explainStage({ findings, packsById: new Map(), store: st, now, config: cfg() });
    const usage = r.usage as Record<string, number>;
    expect(server.requests.length).toBe(usage.calls);
    expect(usage.calls).toBeLessThan(findings.length);
    expect(usage.modelExplanations).toBe(findings.length);
    for (const f of r.findings) {
      expect(f.explanation.engine).toBe("narrative-v1");
      expect(f.explanation.model).toBe("scripted-1");
      expect(f.explanation.grounding).toBe(1);
      expect(f.explanation.summary).toContain(f.resourceName);
      expect(JSON.stringify(f.explanation)).not.toMatch(/\{\{/);
      const ids = new Set(f.dossier?.map((d) => d.id));
      for (const c of f.explanation.citations) expect(ids.has(c.factId)).toBe(true);
      expect(f.remediation).toEqual(findings.find((x) => x.id === f.id)?.remediation);
    }
    // no resource's own name or owner ever left in a prompt
    const sent = server.requests.map((q) => JSON.stringify(q.body)).join("\n");
    for (const f of findings) expect(sent).not.toContain(f.resourceName);
    expect(sent).not.toContain("@fabrikam.example");
    const audit = await st.listAudit();
    expect(audit.filter((e) => e.action === "llm.prompt").length).toBe(usage.calls);
    expect(audit.filter((e) => e.action === "llm.output").length).toBe(usage.calls);
    expect(audit.every((e) => e.actor === "clarion-ai")).toBe(true);
  });

  it("a re-run asks only for what changed (content-hash cache in the store)", async () => {
    server.setScript(groundedResponder);
    const st = await store();
    const findings = smallEstate(24);
    await explainStage({ findings, packsById: new Map(), store: st, now, config: cfg() });
    server.requests.length = 0;
    const changed = [...findings, makeFinding({ name: "stnew01", env: "staging", data: "PII" })];
    const r = await explainStage({ findings: changed, packsById: new Map(), store: st, now, config: cfg() });
    expect(server.requests.length).toBe(1);
    expect((r.usage as Record<string, number>).cacheHits).toBeGreaterThan(0);
    expect(r.findings.every((f) => f.explanation.engine === "narrative-v1")).toBe(true);
  });

  it("retries once with the violations listed, then accepts a fixed answer", async () => {
    server.setScript(hallucinatingResponder({ fixOnRetry: true }));
    server.requests.length = 0;
    const r = await explainStage({ findings: smallEstate(4), packsById: new Map(), store: await store(), now, config: cfg() });
    const retries = server.requests.filter((q) => q.retry);
    expect(retries.length).toBeGreaterThan(0);
    expect(retries[0].body.messages.at(-1)?.content).toMatch(/GDPR/);
    expect(r.findings.every((f) => f.explanation.engine === "narrative-v1" && !/GDPR|HIPAA/.test(f.explanation.complianceImpact))).toBe(
      true,
    );
  });

  it("falls back to the offline explanation when the retry still fails grounding", async () => {
    server.setScript(hallucinatingResponder({ fixOnRetry: false }));
    const findings = smallEstate(4);
    const st = await store();
    const r = await explainStage({ findings, packsById: new Map(), store: st, now, config: cfg() });
    for (const [i, f] of r.findings.entries()) expect(f.explanation).toEqual(findings[i].explanation);
    const fb = (await st.listAudit()).filter((e) => e.action === "llm.fallback");
    expect(fb.length).toBeGreaterThan(0);
    expect(JSON.stringify(fb[0].details)).toMatch(/GDPR/);
  });

  it("falls back on malformed answers and on a slow server past the timeout", async () => {
    server.setScript(malformedResponder);
    const findings = smallEstate(4);
    let r = await explainStage({ findings, packsById: new Map(), store: await store(), now, config: cfg() });
    expect(r.findings.map((f) => f.explanation.engine)).toEqual(findings.map((f) => f.explanation.engine));
    server.setScript(slowResponder(1500));
    const t = Date.now();
    r = await explainStage({ findings, packsById: new Map(), store: await store(), now, config: cfg({ timeoutMs: 150, maxRetries: 0 }) });
    expect(Date.now() - t).toBeLessThan(1400);
    expect((r.usage as Record<string, number>).fallbacks).toBe(findings.length);
  });

  it("honors 429 with retry-after-ms and the x-ratelimit-reset headers", async () => {
    server.setScript(throttleFirst(1, { "retry-after-ms": "300" }));
    server.requests.length = 0;
    const t = Date.now();
    const r = await explainStage({
      findings: smallEstate(1),
      packsById: new Map(),
      store: await store(),
      now,
      config: cfg({ concurrency: 1 }),
    });
    expect(Date.now() - t).toBeGreaterThanOrEqual(280);
    expect(r.findings[0].explanation.engine).toBe("narrative-v1");
    expect((r.usage as Record<string, number>).retries).toBe(1);
    server.setScript(throttleFirst(1, { "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "250ms" }));
    server.requests.length = 0;
    const t2 = Date.now();
    await explainStage({ findings: smallEstate(1), packsById: new Map(), store: await store(), now, config: cfg({ concurrency: 1 }) });
    expect(Date.now() - t2).toBeGreaterThanOrEqual(230);
  });

  it("stops at the token budget with an alert, and alerts on a spike against the previous run", async () => {
    server.setScript(groundedResponder);
    const st = await store();
    const r = await explainStage({
      findings: smallEstate(24),
      packsById: new Map(),
      store: st,
      now,
      config: cfg({ budgetTokensPerRun: 2500, concurrency: 1 }),
    });
    const u = r.usage as { alerts: { kind: string }[]; fallbacks: number; totalTokens: number };
    expect(u.alerts.map((a) => a.kind)).toContain("budget");
    expect(u.fallbacks).toBeGreaterThan(0);
    expect(u.totalTokens).toBeLessThanOrEqual(2500);
    const st2 = await store();
    await explainStage({ findings: smallEstate(2), packsById: new Map(), store: st2, now, config: cfg({ cache: false }) });
    const r2 = await explainStage({
      findings: smallEstate(24),
      packsById: new Map(),
      store: st2,
      now,
      config: cfg({ cache: false, spikeFactor: 1.5 }),
    });
    expect((r2.usage as { alerts: { kind: string }[] }).alerts.map((a) => a.kind)).toContain("spike");
  });

  it("redacts secrets and personal data in class facts before the prompt leaves", async () => {
    server.setScript(groundedResponder);
    server.requests.length = 0;
    const f = makeFinding({
      name: "stsecret01",
      data: "PCI password=Hunter22x AccountKey=abc owner jane@contoso.example",
      criticality: "sv=2022-11-02&sig=c2VjcmV0c2lnbmF0dXJl",
    });
    await explainStage({ findings: [f], packsById: new Map(), store: await store(), now, config: cfg() });
    const sent = JSON.stringify(server.requests[0].body);
    expect(sent).not.toMatch(/Hunter22x|jane@contoso|c2VjcmV0c2lnbmF0dXJl/);
    expect(sent).toContain("[email]");
  });
});
