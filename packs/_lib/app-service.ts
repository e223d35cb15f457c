import type { Remediation } from "../../src/domain/finding";
import type { ArmResource } from "../../src/domain/resource";
import { prop, ps, sh } from "../../src/packs/helpers";
import type { Evaluation, RemediationContext } from "../../src/packs/schema";
import { type Check, checkProps, eq, isFalse, isTrue, tlsAtLeast } from "./evaluate";
import { buildFixes, P, settingPolicy, was } from "./remediate";

/**
 * App Service recommendations come in pairs, one for web apps and one for function apps, on the same
 * Microsoft.Web/sites rows: the `kind` decides which pack of the pair applies. Each setting is described once here.
 */
export type AppKind = "webapp" | "functionapp";

const SITES = "Microsoft.Web/sites";
const APP: Record<AppKind, { az: string; tf: string }> = {
  webapp: { az: "webapp", tf: "azurerm_linux_web_app" },
  functionapp: { az: "functionapp", tf: "azurerm_linux_function_app" },
};

/** Web-app packs skip function and logic apps; function-app packs skip everything else. */
export function appScope(
  app: AppKind,
  otherReason = "not a function app (the web-app recommendation covers it)",
): (r: ArmResource) => string | undefined {
  return app === "webapp"
    ? (r) =>
        /functionapp|workflowapp/i.test(String(r.kind ?? "")) ? "a function or logic app (a separate recommendation covers it)" : undefined
    : (r) => (/functionapp/i.test(String(r.kind ?? "")) ? undefined : otherReason);
}

const notStar = (v: unknown): boolean => Array.isArray(v) && !v.includes("*");

export const APP_CHECKS = {
  ftps: { path: "properties.siteConfig.ftpsState", ok: eq("FtpsOnly", "Disabled"), expect: "FtpsOnly or Disabled", missing: "unknown" },
  minTls: { path: "properties.siteConfig.minTlsVersion", ok: tlsAtLeast(1.2), expect: "1.2 or newer", missing: "unknown" },
  remoteDebugging: { path: "properties.siteConfig.remoteDebuggingEnabled", ok: isFalse, expect: "false", missing: "unknown" },
  httpsOnly: { path: "properties.httpsOnly", ok: isTrue, expect: "true" },
  identity: { path: "identity.type", ok: (v) => typeof v === "string" && /assigned/i.test(v), expect: "SystemAssigned or UserAssigned" },
  cors: { path: "properties.siteConfig.cors.allowedOrigins", ok: notStar, expect: "a list of named origins, not *", missing: "pass" },
} satisfies Record<string, Check>;
export type AppCheck = keyof typeof APP_CHECKS;

export function appEvaluate(resource: ArmResource, app: AppKind, check: AppCheck): Evaluation {
  if (check !== "cors") return checkProps(resource, [SITES], [APP_CHECKS[check]], appScope(app));
  // CORS lives in the site config; a row without it cannot be decided.
  const scope = appScope(app, "not a function app");
  return checkProps(resource, [SITES], [APP_CHECKS.cors], (r) =>
    r.properties?.siteConfig ? scope(r) : "the inventory row carries no site config",
  );
}

function target(ctx: RemediationContext): string {
  return `--name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)}`;
}

/** Reads and writes the site's `web` config resource through the generic resource cmdlets. */
function psConfig(ctx: RemediationContext): string {
  return `$cfg = Get-AzResource -ResourceGroupName ${ps(ctx.resourceGroup)} -ResourceType Microsoft.Web/sites/config -ResourceName ${ps(`${ctx.name}/web`)} -ApiVersion 2023-12-01`;
}

interface SiteConfigSetting {
  title: string;
  downtime: string;
  /** siteConfig property (ARM) and its az flag and azurerm `site_config` argument. */
  property: string;
  azFlag: string;
  tfArg: string;
  /** Healthy value, and the value rollback restores: a fixed value, or the current one with a fallback. */
  value: string | boolean;
  rollback: { fixed: string | boolean } | { fallback: string };
  /** Policy condition matching unhealthy sites. */
  unhealthy: Record<string, unknown>;
}

const cfgAlias = (p: string) => `Microsoft.Web/sites/siteConfig.${p}`;
const SITE_CONFIG: Record<"ftps" | "minTls" | "remoteDebugging", SiteConfigSetting> = {
  ftps: {
    title: "Allow FTPS only for deployments",
    downtime: "none unless a deployment still uses plain FTP",
    property: "ftpsState",
    azFlag: "--ftps-state",
    tfArg: "ftps_state",
    value: "FtpsOnly",
    rollback: { fallback: "AllAllowed" },
    unhealthy: P.field(cfgAlias("ftpsState"), "equals", "AllAllowed"),
  },
  minTls: {
    title: "Require TLS 1.2 or newer",
    downtime: "none for current clients",
    property: "minTlsVersion",
    azFlag: "--min-tls-version",
    tfArg: "minimum_tls_version",
    value: "1.2",
    rollback: { fallback: "1.0" },
    unhealthy: P.field(cfgAlias("minTlsVersion"), "less", "1.2"),
  },
  remoteDebugging: {
    title: "Turn off remote debugging",
    downtime: "none",
    property: "remoteDebuggingEnabled",
    azFlag: "--remote-debugging-enabled",
    tfArg: "remote_debugging_enabled",
    value: false,
    rollback: { fixed: true },
    unhealthy: P.field(cfgAlias("remoteDebuggingEnabled"), "equals", true),
  },
};

export interface AppFixSpec {
  packId: string;
  app: AppKind;
  /** The policy draft's display name (the pack's own wording). */
  displayName: string;
}

/** Drafts setting one `siteConfig` property through the site's `web` config resource. */
export function siteConfigFixes(ctx: RemediationContext, s: AppFixSpec & { setting: keyof typeof SITE_CONFIG }): Remediation[] {
  const c = SITE_CONFIG[s.setting];
  const { az, tf } = APP[s.app];
  const t = target(ctx);
  const prev = "fixed" in c.rollback ? c.rollback.fixed : was(ctx, `properties.siteConfig.${c.property}`, c.rollback.fallback);
  // Previous values come from the inventory row: quoted for each language (a no-op for Azure's own values).
  const asPs = (v: unknown) => (typeof v === "boolean" ? `$${v}` : ps(String(v)));
  const asTf = (v: unknown) => (typeof v === "boolean" ? String(v) : JSON.stringify(String(v)));
  const cfg = psConfig(ctx);
  return buildFixes(ctx, {
    packId: s.packId,
    title: c.title,
    role: "Website Contributor",
    downtime: c.downtime,
    az: {
      precheck: `az ${az} config show ${t} --query ${c.property}`,
      content: `az ${az} config set ${t} ${c.azFlag} ${String(c.value)}`,
      rollback: `az ${az} config set ${t} ${c.azFlag} ${sh(String(prev))}`,
    },
    ps: {
      precheck: `${cfg}\n$cfg.Properties.${c.property}`,
      content: `${cfg}\n$cfg.Properties.${c.property} = ${asPs(c.value)}\n$cfg | Set-AzResource -Force`,
      rollback: `${cfg}\n$cfg.Properties.${c.property} = ${asPs(prev)}\n$cfg | Set-AzResource -Force`,
    },
    arm: {
      type: "Microsoft.Web/sites/config",
      apiVersion: "2023-12-01",
      name: `${ctx.name}/web`,
      location: false,
      properties: { [c.property]: c.value },
      rollback: { [c.property]: prev },
    },
    tf: { type: tf, body: `site_config {\n  ${c.tfArg} = ${asTf(c.value)}\n}`, rollback: `site_config {\n  ${c.tfArg} = ${asTf(prev)}\n}` },
    policy: settingPolicy(SITES, s.displayName, "App Service", () => [c.unhealthy], { effects: ["Audit", "Disabled"] }),
  });
}

/** ARM PUT of a site needs its plan: kept from the row. */
function serverFarm(ctx: RemediationContext): unknown {
  return was(ctx, "properties.serverFarmId", "<app-service-plan-id>");
}

export function httpsOnlyFixes(ctx: RemediationContext, s: AppFixSpec): Remediation[] {
  const { az, tf } = APP[s.app];
  const t = target(ctx);
  // az webapp has a flag for it; az functionapp only the generic --set.
  const set = (v: boolean) => (s.app === "webapp" ? `--https-only ${v}` : `--set httpsOnly=${v}`);
  const site = `-ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(ctx.name)}`;
  return buildFixes(ctx, {
    packId: s.packId,
    title: "Serve the app over HTTPS only",
    role: "Website Contributor",
    downtime: "none; HTTP requests are redirected",
    az: {
      precheck: `az ${az} show ${t} --query httpsOnly`,
      content: `az ${az} update ${t} ${set(true)}`,
      rollback: `az ${az} update ${t} ${set(false)}`,
    },
    ps: {
      precheck: `(Get-AzWebApp ${site}).HttpsOnly`,
      content: `Set-AzWebApp ${site} -HttpsOnly $true`,
      rollback: `Set-AzWebApp ${site} -HttpsOnly $false`,
    },
    arm: {
      type: SITES,
      apiVersion: "2023-12-01",
      keep: ["kind"],
      properties: { httpsOnly: true, serverFarmId: serverFarm(ctx) },
      rollback: { httpsOnly: false, serverFarmId: serverFarm(ctx) },
    },
    tf: { type: tf, body: "https_only = true", rollback: "https_only = false" },
    policy: settingPolicy(SITES, s.displayName, "App Service", (a) => [P.field(a("httpsOnly"), "notEquals", true)]),
  });
}

export function managedIdentityFixes(ctx: RemediationContext, s: AppFixSpec): Remediation[] {
  const { az, tf } = APP[s.app];
  const t = target(ctx);
  const site = `-ResourceGroupName ${ps(ctx.resourceGroup)} -Name ${ps(ctx.name)}`;
  return buildFixes(ctx, {
    packId: s.packId,
    title: "Assign a system-assigned managed identity",
    role: "Website Contributor",
    downtime: "none",
    az: {
      precheck: `az ${az} identity show ${t}`,
      content: `az ${az} identity assign ${t}`,
      rollback: `az ${az} identity remove ${t}`,
    },
    ps: {
      precheck: `(Get-AzWebApp ${site}).Identity`,
      content: `Set-AzWebApp ${site} -AssignIdentity $true`,
      rollback: `Set-AzWebApp ${site} -AssignIdentity $false`,
    },
    arm: {
      type: SITES,
      apiVersion: "2023-12-01",
      keep: ["kind"],
      top: { identity: { type: "SystemAssigned" } },
      rollbackTop: { identity: { type: "None" } },
      properties: { serverFarmId: serverFarm(ctx) },
      rollback: { serverFarmId: serverFarm(ctx) },
    },
    tf: {
      type: tf,
      body: 'identity {\n  type = "SystemAssigned"\n}',
      rollback: "",
      rollbackRaw:
        "# Remove the identity block and run terraform apply; first move any connection that uses the identity back to its previous credential.",
    },
    policy: settingPolicy(
      SITES,
      s.displayName,
      "App Service",
      () => [P.any(P.field("identity.type", "exists", false), P.field("identity.type", "equals", "None"))],
      { effects: ["Audit", "Disabled"] },
    ),
  });
}

/** Removes the "*" origin, keeping any named origins; rollback adds "*" back. */
export function corsFixes(ctx: RemediationContext, s: { packId: string; app: AppKind }): Remediation[] {
  const { az, tf } = APP[s.app];
  const t = target(ctx);
  const label = s.app === "webapp" ? "web apps" : "function apps";
  const origins = ((prop(ctx.resource, "properties.siteConfig.cors.allowedOrigins") as string[] | undefined) ?? []).filter(
    (o) => o !== "*",
  );
  const cfg = psConfig(ctx);
  const list = (xs: string[]) => `@(${xs.map((o) => ps(o)).join(", ")})`;
  const tfCors = (xs: string[]) => `site_config {\n  cors {\n    allowed_origins = ${JSON.stringify(xs)}\n  }\n}`;
  return buildFixes(ctx, {
    packId: s.packId,
    title: "Allow only named CORS origins",
    role: "Website Contributor",
    downtime: "none for the app; browser pages on origins not listed can no longer call it from script",
    az: {
      precheck: `az ${az} cors show ${t}`,
      content: `az ${az} cors remove ${t} --allowed-origins '*'${origins.length ? "" : `\n# then add the origins that really call the app: az ${az} cors add --allowed-origins https://<origin>`}`,
      rollback: `az ${az} cors add ${t} --allowed-origins '*'`,
    },
    ps: {
      precheck: `${cfg}\n$cfg.Properties.cors`,
      content: `${cfg}\n$cfg.Properties.cors.allowedOrigins = ${list(origins)}\n$cfg | Set-AzResource -Force`,
      rollback: `${cfg}\n$cfg.Properties.cors.allowedOrigins = ${list([...origins, "*"])}\n$cfg | Set-AzResource -Force`,
    },
    arm: {
      type: "Microsoft.Web/sites/config",
      apiVersion: "2023-12-01",
      name: `${ctx.name}/web`,
      location: false,
      properties: { cors: { allowedOrigins: origins } },
      rollback: { cors: { allowedOrigins: [...origins, "*"] } },
    },
    tf: { type: tf, body: tfCors(origins), rollback: tfCors([...origins, "*"]) },
    policy: {
      displayName: `${label[0].toUpperCase()}${label.slice(1)} should not allow every origin through CORS`,
      description: `Audits ${label} whose CORS settings allow every origin (*).`,
      category: "App Service",
      if: P.all(
        P.type(SITES),
        P.field("kind", s.app === "webapp" ? "notContains" : "contains", "functionapp"),
        P.field("Microsoft.Web/sites/siteConfig.cors.allowedOrigins[*]", "equals", "*"),
      ),
      effects: ["Audit", "Disabled"],
    },
  });
}
