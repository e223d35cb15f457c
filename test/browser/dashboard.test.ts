import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer, type ClarionServer } from "../../src/server/app";
import { ensureDashboard } from "../../src/server/web-build";
import { openStore } from "../../src/store/open-store";
import type { Store } from "../../src/store/store";
import { parseGovernanceConfig } from "../../src/workflow";

/**
 * The dashboard in a real browser (Debian's chromium through playwright-core) against `clarion demo` data:
 * open a finding, read its explanation, request approval as an analyst, approve it as a second user,
 * and see the approval in the audit log with the chain verified. Screenshots go to test-artifacts/.
 */
const CHROMIUM = process.env.CLARION_CHROMIUM ?? "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`SKIP (browser tests): ${CHROMIUM} not found; install it with \`apt-get install -y chromium\`.`);

const ROOT = resolve(import.meta.dirname, "../..");
const WEBHOOK_TOKEN = "browser-test-webhook-secret-0123456789";
const ARTIFACTS = join(ROOT, "test-artifacts");

describe.skipIf(!hasChromium)("dashboard in chromium", () => {
  let dir: string;
  let store: Store;
  let app: ClarionServer;
  let base: string;
  let ctx: BrowserContext;
  let page: Page;
  let analyst: string;
  let approver: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), "clarion-browser-"));
    execFileSync(process.execPath, [join(ROOT, "bin/clarion.mjs"), "demo", "--out", join(dir, "out")], { stdio: "ignore" });
    const webDist = await ensureDashboard({ quiet: true });
    store = await openStore(join(dir, "out", "clarion.db"), { mustExist: true });
    // The real workflow engine (no governance file: each token's role applies estate-wide) and the Sentinel webhook.
    app = await buildServer({ store, webDist, governance: parseGovernanceConfig({}), webhookToken: WEBHOOK_TOKEN });
    analyst = (await app.clarion.tokens.create({ name: "ana.analyst@fabrikam.example", role: "analyst" })).token;
    approver = (await app.clarion.tokens.create({ name: "bo.approver@fabrikam.example", role: "approver" })).token;
    base = await app.listen({ port: 0, host: "127.0.0.1" });
    const { chromium } = await import("playwright-core");
    ctx = await chromium.launchPersistentContext(join(dir, "profile"), {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 860 },
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = ctx.pages()[0] ?? (await ctx.newPage());
    page.setDefaultTimeout(15_000);
  }, 120_000);

  afterAll(async () => {
    await ctx?.close();
    await app?.close();
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });
  const signIn = async (token: string) => {
    await page.goto(`${base}/`);
    await page.getByLabel("Token").fill(token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByTestId("who").waitFor();
  };

  it("analyst opens a finding, reads the explanation, requests approval; approver approves; the audit log shows it", async () => {
    await signIn(analyst);
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    await page.getByText("Top risks").waitFor();
    await shot("01-overview");

    await page.getByRole("link", { name: "Findings", exact: true }).click();
    const firstRow = page.locator(".vbody .vrow[data-index='0']");
    await firstRow.locator("a").waitFor();
    await shot("02-findings");
    const top = (await store.listFindings({ limit: 1 }))[0];
    await expect(firstRow.locator("a").innerText()).resolves.toBe(top.resourceName);

    // keyboard: focus the first row and open it with Enter
    await firstRow.focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(`**/findings/${top.id}`);
    const summary = page.getByTestId("explanation-summary");
    await expect(summary.innerText()).resolves.toBe(top.explanation.summary);
    await expect(page.getByText(`${top.explanation.citations.length} cited facts`)).toBeTruthy();
    await page
      .getByRole("row", { name: new RegExp(top.explanation.citations[0].factId.replace(/\./g, "\\.")) })
      .first()
      .waitFor();
    await shot("03-finding-detail");

    // remediation tabs: every format is there; switch to Bicep with the keyboard and back
    for (const r of top.remediation)
      await page
        .getByRole("tab", {
          name: {
            "az-cli": "Azure CLI",
            powershell: "PowerShell",
            bicep: "Bicep",
            terraform: "Terraform",
            arm: "ARM",
            "azure-policy": "Azure Policy",
          }[r.kind],
        })
        .waitFor();
    await page.getByRole("tab", { name: "Azure CLI" }).click();
    await expect(page.getByTestId("remediation-content").innerText()).resolves.toBe(
      top.remediation.find((r) => r.kind === "az-cli")?.content,
    );
    // Change control: the Azure Policy fix goes to the workflow engine (drafted, blast radius measured, submitted).
    await page.getByRole("button", { name: "Request approval" }).click();
    await page.getByText("requested by ana.analyst@fabrikam.example").waitFor();
    await page.locator(".badge-state-pending-review").first().waitFor();
    await shot("04-approval-requested");
    const requested = (
      await app.inject({ url: `/api/v1/approvals?findingId=${top.id}`, headers: { authorization: `Bearer ${approver}` } })
    ).json().items[0];
    expect(requested.author).toBe("ana.analyst@fabrikam.example");
    expect(requested.requiredApprovals).toBe(1);

    // second user
    await page.getByRole("button", { name: "Sign out" }).click();
    await signIn(approver);
    await page.getByRole("link", { name: "Approvals" }).click();
    const item = page.locator(".queue-item", { hasText: top.resourceName });
    await item.waitFor();
    await shot("05-approvals-queue");
    await item.getByPlaceholder("Comment (required to reject or ask)").fill("Change window agreed with the checkout team");
    await item.getByRole("button", { name: "Approve" }).click();
    await page.getByRole("tab", { name: "approved", exact: true }).click();
    await page.locator(".queue-item", { hasText: "approved by bo.approver@fabrikam.example" }).waitFor();

    await page.getByRole("link", { name: "Audit log" }).click();
    await page.getByTestId("chain-status").getByText("Chain verified").waitFor();
    const row = page.getByTestId("audit-table").locator("tr", { hasText: "approval.approved" }).first();
    await row.waitFor();
    await expect(row.innerText()).resolves.toContain("bo.approver@fabrikam.example");
    await expect(row.innerText()).resolves.toContain(top.id);
    await shot("06-audit-log");

    const events = await store.listAudit();
    const approved = events.find((e) => e.action === "approval.approved");
    expect(approved?.actor).toBe("bo.approver@fabrikam.example");
    expect(approved?.subject).toBe(requested.id);
    expect(approved?.details.findingId).toBe(top.id);
  }, 120_000);

  it("a Sentinel incident posted by the playbook shows on the finding", async () => {
    const top = (await store.listFindings({ limit: 1 }))[0];
    const arm =
      "/subscriptions/0b1f6471-0000-0000-0000-000000000000/resourceGroups/rg-soc/providers/Microsoft.OperationalInsights/workspaces/law-soc/providers/Microsoft.SecurityInsights/incidents/browser-1";
    const res = await app.inject({
      method: "POST",
      url: "/api/v1/webhooks/sentinel",
      headers: { authorization: `Bearer ${WEBHOOK_TOKEN}`, "idempotency-key": arm },
      payload: {
        source: "microsoft-sentinel",
        incidentArmId: arm,
        incidentNumber: 4172,
        incidentUrl: "https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident/browser-1",
        title: `Clarion: ${top.recommendation.name} on ${top.resourceName}`,
        severity: "High",
        status: "New",
        createdTimeUtc: "2026-12-04T11:58:00Z",
        alerts: [{ properties: { additionalData: { "Custom Details": JSON.stringify({ FindingId: [top.id] }) } } }],
        relatedResources: [],
      },
    });
    expect(res.statusCode).toBe(201);
    await page.goto(`${base}/findings/${top.id}`);
    const inc = page.getByTestId("incident");
    await inc.first().waitFor();
    await expect(inc.first().innerText()).resolves.toContain("#4172");
    await inc.first().scrollIntoViewIfNeeded();
    await shot("10-finding-incident");
  }, 60_000);

  it("compliance heatmap, attack paths and changes render at 1280 px", async () => {
    await page.goto(`${base}/compliance`);
    await page.locator(".heat-cell").first().waitFor();
    await page.locator(".heat-cell", { hasText: /\d/ }).first().click();
    await page.locator("table .evidence").first().waitFor();
    await shot("07-compliance");
    await page.goto(`${base}/paths`);
    await page.locator(".pathbtn").first().click();
    await page.waitForTimeout(300);
    await shot("08-attack-paths");
    await page.goto(`${base}/changes`);
    await page.getByRole("heading", { name: /Anomalies/ }).waitFor();
    await shot("09-changes");
    const overflow = (await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")) as number;
    expect(overflow).toBeLessThanOrEqual(0);
  }, 60_000);
});
