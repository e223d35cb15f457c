import type { Remediation } from "../../../src/domain/finding";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, azTarget, buildFixes, psTarget } from "../../_lib/remediate";

/** Adds an IP firewall (the allowed ranges are the operator's to name). */
export function remediate(ctx: RemediationContext): Remediation[] {
  const t = azTarget(ctx);
  return buildFixes(ctx, {
    packId: "cosmosdb-firewall",
    title: "Restrict the Cosmos DB account to named networks",
    role: "DocumentDB Account Contributor",
    downtime: "planned: clients outside the allowed ranges are refused (include the Azure portal ranges if people use Data Explorer)",
    az: {
      precheck: `az cosmosdb show ${t} --query "{public:publicNetworkAccess, vnetFilter:isVirtualNetworkFilterEnabled, ipRules:ipRules}"\n# ALLOWED_RANGES: comma-separated addresses/CIDRs of the clients that need access`,
      content: `az cosmosdb update ${t} --ip-range-filter "$ALLOWED_RANGES"`,
      rollback: `az cosmosdb update ${t} --ip-range-filter ""`,
    },
    ps: {
      precheck: `Get-AzCosmosDBAccount ${psTarget(ctx)} | Select-Object Name, PublicNetworkAccess, IsVirtualNetworkFilterEnabled, IpRules`,
      content: `Update-AzCosmosDBAccount ${psTarget(ctx)} -IpRule ($env:ALLOWED_RANGES -split ',')`,
      rollback: `Update-AzCosmosDBAccount ${psTarget(ctx)} -IpRule @()`,
    },
    arm: { type: "Microsoft.DocumentDB/databaseAccounts", apiVersion: "2024-05-15", keep: ["kind"], params: { allowedRange: "Address or CIDR allowed to connect" }, properties: { databaseAccountOfferType: "Standard", ipRules: [{ ipAddressOrRange: "{{allowedRange}}" }] }, rollback: { databaseAccountOfferType: "Standard", ipRules: [] } },
    tf: { type: "azurerm_cosmosdb_account", vars: { allowed_range: "Address or CIDR allowed to connect" }, body: "ip_range_filter = [var.allowed_range]", rollback: "ip_range_filter = []" },
    policy: {
      displayName: "Cosmos DB accounts should have firewall rules",
      description: "Audits or denies Cosmos DB accounts open to all networks (public access on, no IP rules, no virtual network filter).",
      category: "Cosmos DB",
      if: P.all(P.type("Microsoft.DocumentDB/databaseAccounts"), P.field("Microsoft.DocumentDB/databaseAccounts/publicNetworkAccess", "notEquals", "Disabled"), P.field("Microsoft.DocumentDB/databaseAccounts/isVirtualNetworkFilterEnabled", "notEquals", true), P.any(P.field("Microsoft.DocumentDB/databaseAccounts/ipRules", "exists", false), { count: { field: "Microsoft.DocumentDB/databaseAccounts/ipRules[*]" }, equals: 0 })),
      effects: ["Audit", "Deny", "Disabled"],
    },
  });
}
