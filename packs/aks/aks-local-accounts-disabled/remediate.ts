import type { Remediation } from "../../../src/domain/finding";
import { ps } from "../../../src/packs/helpers";
import type { RemediationContext } from "../../../src/packs/schema";
import { P, AUDIT_OR_DENY, azTarget, buildFixes, psTarget, settingPolicy } from "../../_lib/remediate";

export function remediate(ctx: RemediationContext): Remediation[] {
  const t = azTarget(ctx);
  const p = psTarget(ctx);
  return buildFixes(ctx, {
    packId: "aks-local-accounts-disabled",
    title: "Disable local (static) cluster accounts",
    role: "Azure Kubernetes Service Contributor Role",
    downtime: "brief for anyone using the static cluster-admin kubeconfig: it stops working; Entra ID sign-in keeps working",
    az: {
      precheck: `az aks show ${t} --query "{disableLocalAccounts:disableLocalAccounts, aad:aadProfile.managed}"`,
      content: `az aks update ${t} --disable-local-accounts`,
      rollback: `az aks update ${t} --enable-local-accounts`,
    },
    ps: {
      precheck: `Get-AzAksCluster ${p} | Select-Object Name, DisableLocalAccounts`,
      content: `Set-AzAksCluster ${p} -DisableLocalAccount`,
      rollback: `Set-AzResource -ResourceId ${ps(ctx.resource.id)} -ApiVersion '2024-05-01' -Properties @{ disableLocalAccounts = $false } -Force`,
    },
    arm: { type: "Microsoft.ContainerService/managedClusters", apiVersion: "2024-05-01", keep: ["sku"], properties: { disableLocalAccounts: true }, rollback: { disableLocalAccounts: false } },
    tf: { type: "azurerm_kubernetes_cluster", body: "local_account_disabled = true", rollback: "local_account_disabled = false" },
    policy: settingPolicy("Microsoft.ContainerService/managedClusters", "AKS clusters should have local accounts disabled", "Kubernetes", (a) => [P.field(a("disableLocalAccounts"), "notEquals", true)], { description: AUDIT_OR_DENY }),
  });
}
