import type { Remediation } from "../../../src/domain/finding";
import { prop, ps, sh } from "../../../src/packs/helpers";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, buildFixes } from "../../_lib/remediate";

/** Removes the "*" origin, keeping any named origins; rollback adds "*" back. */
export function remediate(ctx: RemediationContext): Remediation[] {
  const t = `--name ${sh(ctx.name)} --resource-group ${sh(ctx.resourceGroup)} --subscription ${sh(ctx.subscriptionId)}`;
  const origins = ((prop(ctx.resource, "properties.siteConfig.cors.allowedOrigins") as string[] | undefined) ?? []).filter((o) => o !== "*");
  const cfg = `$cfg = Get-AzResource -ResourceGroupName ${ps(ctx.resourceGroup)} -ResourceType Microsoft.Web/sites/config -ResourceName ${ps(`${ctx.name}/web`)} -ApiVersion 2023-12-01`;
  const list = (xs: string[]) => `@(${xs.map((o) => ps(o)).join(", ")})`;
  return buildFixes(ctx, {
    packId: "webapp-cors-restricted",
    title: "Allow only named CORS origins",
    role: "Website Contributor",
    downtime: "none for the app; browser pages on origins not listed can no longer call it from script",
    az: {
      precheck: `az webapp cors show ${t}`,
      content: `az webapp cors remove ${t} --allowed-origins '*'${origins.length ? "" : "\n# then add the origins that really call the app: az webapp cors add --allowed-origins https://<origin>"}`,
      rollback: `az webapp cors add ${t} --allowed-origins '*'`,
    },
    ps: {
      precheck: `${cfg}\n$cfg.Properties.cors`,
      content: `${cfg}\n$cfg.Properties.cors.allowedOrigins = ${list(origins)}\n$cfg | Set-AzResource -Force`,
      rollback: `${cfg}\n$cfg.Properties.cors.allowedOrigins = ${list([...origins, "*"])}\n$cfg | Set-AzResource -Force`,
    },
    arm: { type: "Microsoft.Web/sites/config", apiVersion: "2023-12-01", name: `${ctx.name}/web`, location: false, properties: { cors: { allowedOrigins: origins } }, rollback: { cors: { allowedOrigins: [...origins, "*"] } } },
    tf: { type: "azurerm_linux_web_app", body: `site_config {\n  cors {\n    allowed_origins = ${JSON.stringify(origins)}\n  }\n}`, rollback: `site_config {\n  cors {\n    allowed_origins = ${JSON.stringify([...origins, "*"])}\n  }\n}` },
    policy: {
      displayName: "Web apps should not allow every origin through CORS",
      description: "Audits web apps whose CORS settings allow every origin (*).",
      category: "App Service",
      if: P.all(P.type("Microsoft.Web/sites"), P.field("kind", "notContains", "functionapp"), P.field("Microsoft.Web/sites/siteConfig.cors.allowedOrigins[*]", "equals", "*")),
      effects: ["Audit", "Disabled"],
    },
  });
}
