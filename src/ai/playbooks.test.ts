import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeFinding } from "../../test/llm/fixtures";
import { type ScriptedServer, startScriptedServer } from "../../test/llm/scripted-server";
import { ConfigSchema } from "../config/config";
import { SqliteStore } from "../store/sqlite-store";
import { explainStage } from "./explain-stage";
import { chunkMarkdown, PlaybookIndex } from "./playbooks";

const dir = mkdtempSync(join(tmpdir(), "clarion-playbooks-"));
mkdirSync(join(dir, "network"));
writeFileSync(
  join(dir, "network", "storage-firewall.md"),
  "# Storage firewall\n\nIntro.\n\n## Restrict network access\n\nStorage accounts must restrict network access to the hub virtual network; file a change with the platform team and allow 2 days.\n\n## Rollback\n\nSet the default action back to Allow.\n",
);
writeFileSync(
  join(dir, "keyvault.md"),
  "# Key vault purge protection\n\nTurn on purge protection for every key vault holding production secrets.\n",
);

let server: ScriptedServer;
beforeAll(async () => {
  server = await startScriptedServer();
});
afterAll(async () => server.close());

describe("playbook retrieval", () => {
  it("chunks Markdown by heading and finds the right section with BM25", () => {
    expect(chunkMarkdown("a.md", "# T\n\none\n\n## S\n\ntwo").map((c) => [c.id, c.heading, c.text])).toEqual([
      ["playbook.a.md#1", "T", "one"],
      ["playbook.a.md#2", "S", "two"],
    ]);
    const idx = PlaybookIndex.fromDir(dir);
    const hits = idx.query("Storage accounts should restrict network access using virtual network rules");
    expect(hits[0].chunk.id).toBe("playbook.network/storage-firewall.md#2");
    expect(idx.query("zebra quantum")).toEqual([]);
  });

  it("the model's explanation cites the playbook section, and the fact joins the finding's dossier", async () => {
    const store = new SqliteStore(":memory:");
    await store.migrate();
    const f = makeFinding({ name: "stpb01", app: "checkout" });
    const config = ConfigSchema.parse({ llm: { provider: "openai-compatible", baseUrl: server.url, model: "m" }, playbooksDir: dir });
    const r = await explainStage({ findings: [f], packsById: new Map(), store, now: new Date(), config });
    const out = r.findings[0];
    expect(out.explanation.citations.map((c) => c.factId)).toContain("playbook.network/storage-firewall.md#2");
    expect(out.dossier?.find((d) => d.id === "playbook.network/storage-firewall.md#2")?.value).toMatch(/hub virtual network/);
    expect(server.requests[0].user).toContain("platform team");
  });
});
