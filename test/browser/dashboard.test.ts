import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
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

/** True when web/dist is missing or older than a dashboard source, so the tests never run against a stale bundle. */
function dashboardStale(): boolean {
  const built = join(ROOT, "web/dist/index.html");
  if (!existsSync(built)) return true;
  const at = statSync(built).mtimeMs;
  const newer = (path: string): boolean =>
    statSync(path).isDirectory() ? readdirSync(path).some((f) => newer(join(path, f))) : statSync(path).mtimeMs > at;
  return ["web/src", "web/index.html", "web/vite.config.ts"].some((f) => newer(join(ROOT, f)));
}

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
    const webDist = await ensureDashboard({ quiet: true, force: dashboardStale() });
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
    await page.evaluate("sessionStorage.clear()");
    await page.reload();
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
    const firstLink = page.getByRole("table", { name: "Findings, highest risk first" }).locator("tr[data-index='0']").getByRole("link");
    await firstLink.waitFor();
    await shot("02-findings");
    const top = (await store.listFindings({ limit: 1 }))[0];
    await expect(firstLink.textContent()).resolves.toBe(top.resourceName);

    // keyboard: focus the first row and open it with Enter
    await firstLink.focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(`**/findings/${top.id}`);
    const summary = page.getByTestId("explanation-summary");
    await expect(summary.textContent()).resolves.toBe(top.explanation.summary);
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
    await expect(page.getByTestId("remediation-content").textContent()).resolves.toBe(
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
    await expect(row.textContent()).resolves.toContain("bo.approver@fabrikam.example");
    await expect(row.textContent()).resolves.toContain(top.id);
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
    await expect(inc.first().textContent()).resolves.toContain("#4172");
    await inc.first().scrollIntoViewIfNeeded();
    await shot("10-finding-incident");
  }, 60_000);

  it("compliance heatmap, attack paths and changes render at 1280 px", async () => {
    await page.goto(`${base}/compliance`);
    const heatmap = page.getByRole("table", { name: "Failing controls by framework and family" });
    await heatmap.locator(".heat-cell").first().waitFor();
    await heatmap.getByRole("rowheader", { name: /^MCSB\b/ }).waitFor();
    const cell = heatmap.locator(".heat-cell", { hasText: /\d/ }).first();
    await expect(cell.getAttribute("aria-pressed")).resolves.toBe("false");
    await cell.click();
    await expect(cell.getAttribute("aria-pressed")).resolves.toBe("true");
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

  describe("keyboard and screen readers", () => {
    /** data-index of the findings row holding focus (undefined when focus is outside the list). */
    const focusedRow = () => page.evaluate<string | undefined>("document.activeElement?.closest('table tr[data-index]')?.dataset.index");
    const waitForFocusedRow = (index: number) =>
      page.waitForFunction(`document.activeElement?.closest('table tr[data-index]')?.dataset.index === "${index}"`, undefined, { timeout: 5_000 });
    const focusedHref = () => page.evaluate<string | undefined>("document.activeElement?.getAttribute('href') ?? undefined");
    const findingsTable = () => page.getByRole("table", { name: "Findings, highest risk first" });

    it("the findings list is a table with column headers, a row count and rows named by their finding", async () => {
      await signIn(analyst);
      await page.goto(`${base}/findings`);
      const table = findingsTable();
      await table.locator("tr[data-index='0'] a").waitFor();
      for (const name of ["Risk", "Severity", "Resource", "Recommendation", "Environment", "Owner", "Frameworks"])
        await table.getByRole("columnheader", { name, exact: true }).waitFor();
      const total = (await app.inject({ url: "/api/v1/findings?limit=1", headers: { authorization: `Bearer ${analyst}` } })).json().total as number;
      expect(total).toBeGreaterThan(100);
      // Virtualized: only the rows in view are in the page, so the table states the full count and each row's position.
      await expect(table.getAttribute("aria-rowcount")).resolves.toBe(String(total + 1));
      await expect(table.locator("tr[data-index='0']").getAttribute("aria-rowindex")).resolves.toBe("2");
      expect(await table.locator("tr[data-index]").count()).toBeLessThan(100);
      const top = (await store.listFindings({ limit: 1 }))[0];
      const row = table.getByRole("row", { name: new RegExp(top.resourceName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) }).first();
      await row.getByRole("link", { name: top.resourceName }).waitFor();
      await expect(row.getByRole("cell").nth(3).textContent()).resolves.toContain(top.recommendation.name);
      // One tab stop for the whole list.
      await expect(table.locator("a[tabindex='0']").count()).resolves.toBe(1);

      // Chromium's own accessibility tree (what a screen reader gets), not only the DOM: a table with seven column
      // headers, and after focusing a row its link, inside a row of that table, described by risk, severity and recommendation.
      await table.locator("tr[data-index='0'] a").focus();
      const cdp = await ctx.newCDPSession(page);
      type AXNode = { nodeId: string; parentId?: string; ignored: boolean; role?: { value: string }; name?: { value: string }; description?: { value: string }; properties?: { name: string; value: { value: unknown } }[] };
      const { nodes } = (await cdp.send("Accessibility.getFullAXTree")) as { nodes: AXNode[] };
      await cdp.detach();
      const byId = new Map(nodes.map((n) => [n.nodeId, n]));
      const axTable = nodes.find((n) => n.role?.value === "table" && n.name?.value === "Findings, highest risk first");
      expect(axTable).toBeDefined();
      expect(nodes.filter((n) => !n.ignored && n.role?.value === "columnheader").map((n) => n.name?.value?.toLowerCase())).toEqual(
        expect.arrayContaining(["risk", "severity", "resource", "recommendation", "environment", "owner", "frameworks"]),
      );
      const focused = nodes.find((n) => n.role?.value === "link" && n.properties?.some((p) => p.name === "focused" && p.value.value === true));
      expect(focused?.name?.value).toBe(top.resourceName);
      expect(focused?.description?.value).toContain(top.recommendation.name);
      const roles: string[] = [];
      for (let n = focused; n?.parentId; n = byId.get(n.parentId)) if (!n.ignored && n.role) roles.push(n.role.value);
      expect(roles).toEqual(expect.arrayContaining(["link", "cell", "row", "table"]));
    }, 60_000);

    it("Tab into the list, arrows move, Enter opens the focused finding, Escape comes back to the same row; Space, Back and the breadcrumb too", async () => {
      await signIn(analyst);
      await page.goto(`${base}/findings`);
      const table = findingsTable();
      await table.locator("tr[data-index='0'] a").waitFor();

      // Tab from the last filter lands in the list, on the first row.
      await page.getByLabel("Saved views").focus();
      for (let i = 0; i < 5 && (await focusedRow()) === undefined; i++) await page.keyboard.press("Tab");
      expect(await focusedRow()).toBe("0");
      // Shift+Tab leaves it, Tab comes back to the same single stop.
      await page.keyboard.press("Shift+Tab");
      expect(await focusedRow()).toBeUndefined();
      await page.keyboard.press("Tab");
      expect(await focusedRow()).toBe("0");

      await page.keyboard.press("ArrowDown");
      expect(await focusedRow()).toBe("1");
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("ArrowUp");
      expect(await focusedRow()).toBe("1");
      await page.keyboard.press("ArrowUp");
      await page.keyboard.press("ArrowUp"); // stays on the first row
      expect(await focusedRow()).toBe("0");
      await page.keyboard.press("PageDown");
      await waitForFocusedRow(15);
      // End reaches the last row, whose page of results is fetched on demand; Home goes back to the first.
      const total = Number(await table.getAttribute("aria-rowcount")) - 1;
      await page.keyboard.press("End");
      await waitForFocusedRow(total - 1);
      await page.keyboard.press("Home");
      await waitForFocusedRow(0);
      await shot("11-findings-keyboard-home");
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("ArrowDown");
      await waitForFocusedRow(2);
      await shot("12-findings-keyboard-focus");

      // Enter opens the finding that has focus.
      const href = await focusedHref();
      expect(href).toMatch(/^\/findings\/.+/);
      const finding = await store.getFinding(decodeURIComponent(String(href).slice("/findings/".length)));
      if (!finding) throw new Error(`no finding behind ${href}`);
      await expect(table.locator("tr[data-index='2'] a").textContent()).resolves.toBe(finding.resourceName);
      await page.keyboard.press("Enter");
      await page.waitForURL(`**/findings/${finding.id}`);
      await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe(finding.recommendation.name);
      // Focus moved to the new page's main region (not left on a row that is gone), so screen readers start there.
      await expect(page.evaluate("document.activeElement?.id")).resolves.toBe("main");
      await page.getByTestId("explanation-summary").waitFor();
      await shot("13-finding-from-keyboard");

      // Remediation formats are tabs: ←/→/Home/End move the selection and the focus.
      const tabs = page.getByRole("tablist", { name: "Remediation formats" }).getByRole("tab");
      const tabCount = await tabs.count();
      await tabs.first().focus();
      await page.keyboard.press("End");
      await expect(tabs.nth(tabCount - 1).getAttribute("aria-selected")).resolves.toBe("true");
      await page.keyboard.press("ArrowRight");
      await expect(tabs.first().getAttribute("aria-selected")).resolves.toBe("true");
      await expect(page.evaluate("document.activeElement?.getAttribute('role')")).resolves.toBe("tab");

      // Escape returns to the list, with the filters in the URL and focus back on the row that was opened.
      await page.keyboard.press("Escape");
      await page.waitForURL((u) => u.pathname === "/findings");
      await waitForFocusedRow(2);
      expect(await focusedHref()).toBe(href);

      // Space opens it too; the browser's Back comes back to the same row.
      await page.keyboard.press("ArrowDown");
      await waitForFocusedRow(3);
      const third = await focusedHref();
      await page.keyboard.press(" ");
      await page.waitForURL(`**${third}`);
      await page.getByTestId("explanation-summary").waitFor();
      await page.goBack();
      await page.waitForURL((u) => u.pathname === "/findings");
      await waitForFocusedRow(3);

      // After opening a finding, focus starts at the top of the new page: Tab reaches the breadcrumb, Enter goes back.
      await page.keyboard.press("Enter");
      await page.waitForURL(`**${third}`);
      await page.getByTestId("explanation-summary").waitFor();
      await page.keyboard.press("Tab");
      await expect(page.evaluate("document.activeElement?.closest('main nav[aria-label=Breadcrumb]') ? document.activeElement.textContent : null")).resolves.toBe(
        "Findings",
      );
      await page.keyboard.press("Enter");
      await page.waitForURL((u) => u.pathname === "/findings");
      await waitForFocusedRow(3);
    }, 90_000);

    it("with filters applied, Escape returns to the filtered list; opened directly, Escape goes to the list", async () => {
      await signIn(analyst);
      await page.goto(`${base}/findings?severity=Low&sort=resource`);
      const table = page.getByRole("table", { name: "Findings, sorted by resource" });
      await table.locator("tr[data-index='0'] a").waitFor();
      await table.locator("tr[data-index='0'] a").focus();
      await page.keyboard.press("ArrowDown");
      const href = await focusedHref();
      await page.keyboard.press("Enter");
      await page.waitForURL(`**${href}`);
      await page.getByTestId("explanation-summary").waitFor();
      await page.keyboard.press("Escape");
      await page.waitForURL((u) => u.pathname === "/findings" && u.searchParams.get("severity") === "Low" && u.searchParams.get("sort") === "resource");
      await waitForFocusedRow(1);
      expect(await focusedHref()).toBe(href);
      await expect(page.getByRole("button", { name: /^Low\b/ }).getAttribute("aria-pressed")).resolves.toBe("true");

      // Escape in a form field belongs to the field; elsewhere on a finding opened by its URL it goes to the list.
      const withPolicy = (await store.listFindings()).find((f) => f.remediation.some((r) => r.kind === "azure-policy"));
      if (!withPolicy) throw new Error("the demo has no finding with an Azure Policy fix");
      await page.goto(`${base}/findings/${withPolicy.id}`);
      await page.getByTestId("explanation-summary").waitFor();
      await page.getByRole("combobox", { name: /^Effect\b/ }).focus();
      await page.keyboard.press("Escape");
      await page.waitForTimeout(300);
      expect(new URL(page.url()).pathname).toBe(`/findings/${withPolicy.id}`);
      await page.locator("h1").click();
      await page.keyboard.press("Escape");
      await page.waitForURL((u) => u.pathname === "/findings");
      await findingsTable().locator("tr[data-index='0'] a").waitFor();
    }, 60_000);
  });
});
