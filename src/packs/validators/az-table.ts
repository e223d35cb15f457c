/**
 * The az CLI commands Clarion generates, with the parameters each accepts (from the az CLI reference; kept by hand).
 * Only what the packs use is listed: a generated command outside this table fails the meta-test, which is the point.
 */
const G = ["--subscription", "--output", "-o", "--query", "--only-show-errors", "--verbose", "--debug"];
const RG = ["--resource-group", "-g", "--name", "-n"];
const UPDATE = ["--set", "--add", "--remove", "--force-string"];

export const AZ_COMMANDS: Record<string, string[]> = {
  "storage account show": [...RG],
  "storage account update": [...RG, ...UPDATE, "--https-only", "--min-tls-version", "--allow-blob-public-access", "--allow-shared-key-access", "--default-action", "--bypass", "--public-network-access", "--assign-identity", "--identity-type", "--encryption-key-source", "--encryption-key-vault", "--encryption-key-name", "--encryption-key-version", "--key-vault-user-identity-id"],
  "sql server show": [...RG],
  "sql server update": [...RG, ...UPDATE, "--enable-public-network", "-e", "--minimal-tls-version", "--restrict-outbound-network-access"],
  "sql server audit-policy show": [...RG],
  "sql server audit-policy update": [...RG, ...UPDATE, "--state", "--log-analytics-target-state", "--log-analytics-workspace-resource-id", "--blob-storage-target-state", "--storage-account", "--retention-days", "--event-hub-target-state", "--actions"],
  "sql server ad-admin list": ["--resource-group", "-g", "--server-name", "--server", "-s"],
  "sql server ad-admin create": ["--resource-group", "-g", "--server-name", "--server", "-s", "--display-name", "-u", "--object-id", "-i"],
  "sql server ad-admin delete": ["--resource-group", "-g", "--server-name", "--server", "-s"],
  "keyvault show": [...RG],
  "keyvault update": [...RG, ...UPDATE, "--enable-purge-protection", "--enable-rbac-authorization", "--default-action", "--bypass", "--public-network-access", "--retention-days"],
  "webapp show": [...RG],
  "webapp update": [...RG, ...UPDATE, "--https-only", "--client-affinity-enabled"],
  "webapp config show": [...RG],
  "webapp config set": [...RG, ...UPDATE, "--min-tls-version", "--ftps-state", "--remote-debugging-enabled", "--http20-enabled", "--always-on"],
  "webapp identity show": [...RG],
  "webapp identity assign": [...RG, "--identities", "--role", "--scope"],
  "webapp identity remove": [...RG, "--identities"],
  "functionapp show": [...RG],
  "functionapp update": [...RG, ...UPDATE],
  "functionapp config show": [...RG],
  "functionapp config set": [...RG, ...UPDATE, "--min-tls-version", "--ftps-state", "--remote-debugging-enabled", "--http20-enabled", "--always-on"],
  "functionapp identity show": [...RG],
  "functionapp identity assign": [...RG, "--identities", "--role", "--scope"],
  "functionapp identity remove": [...RG, "--identities"],
  "aks show": [...RG],
  "aks update": [...RG, "--api-server-authorized-ip-ranges", "--enable-azure-rbac", "--enable-aad", "--network-policy", "--yes", "-y"],
  "aks create": [...RG, "--enable-aad", "--enable-azure-rbac", "--generate-ssh-keys", "--node-count", "--location", "-l"],
  "aks delete": [...RG, "--yes", "-y", "--no-wait"],
  "aks enable-addons": [...RG, "--addons", "-a"],
  "aks disable-addons": [...RG, "--addons", "-a"],
  "acr show": [...RG],
  "acr update": [...RG, ...UPDATE, "--admin-enabled", "--default-action", "--public-network-enabled"],
  "cosmosdb show": [...RG],
  "cosmosdb update": [...RG, "--public-network-access", "--enable-virtual-network", "--ip-range-filter"],
  "resource update": ["--ids", "--api-version", ...UPDATE, ...RG, "--resource-type"],
  "security pricing show": ["--name", "-n"],
  "security pricing create": ["--name", "-n", "--tier", "--subplan", "--extensions"],
  "monitor diagnostic-settings list": ["--resource", "--resource-group", "-g", "--resource-type"],
  "monitor diagnostic-settings create": ["--name", "-n", "--resource", "--resource-group", "-g", "--workspace", "--storage-account", "--event-hub", "--event-hub-rule", "--logs", "--metrics"],
  "monitor diagnostic-settings delete": ["--name", "-n", "--resource", "--resource-group", "-g"],
  "network private-endpoint create": [...RG, "--vnet-name", "--subnet", "--private-connection-resource-id", "--group-id", "--group-ids", "--connection-name", "--location", "-l", "--manual-request"],
  "network private-endpoint delete": [...RG],
  "network private-endpoint-connection list": ["--id", "--name", "-n", "--resource-group", "-g", "--type"],
  "deployment group what-if": ["--resource-group", "-g", "--template-file", "-f", "--parameters", "-p"],
  "deployment sub what-if": ["--location", "-l", "--template-file", "-f", "--parameters", "-p"],
  "policy assignment delete": ["--name", "-n", "--scope"],
  "policy definition delete": ["--name", "-n", "--management-group"],
};

export function azAllowed(cmd: string): Set<string> | undefined {
  const p = AZ_COMMANDS[cmd];
  return p ? new Set([...p, ...G]) : undefined;
}
