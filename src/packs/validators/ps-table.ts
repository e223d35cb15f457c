/**
 * The Az PowerShell cmdlets Clarion generates, with the parameters each accepts (from the Az module reference; kept by
 * hand). Common parameters (-Force where listed, -WhatIf, -Confirm, -ErrorAction...) are allowed on every cmdlet.
 */
const RGN = ["ResourceGroupName", "Name"];
export const PS_CMDLETS: Record<string, string[]> = {
  "Set-AzContext": ["Subscription", "Tenant"],
  "Get-AzStorageAccount": [...RGN, "AccountName"],
  "Set-AzStorageAccount": [...RGN, "AccountName", "EnableHttpsTrafficOnly", "MinimumTlsVersion", "AllowBlobPublicAccess", "AllowSharedKeyAccess", "NetworkRuleSet", "PublicNetworkAccess", "AssignIdentity", "KeyvaultEncryption", "KeyVaultUri", "KeyName", "KeyVersion", "StorageEncryption", "Force"],
  "Get-AzSqlServer": ["ResourceGroupName", "ServerName"],
  "Set-AzSqlServer": ["ResourceGroupName", "ServerName", "PublicNetworkAccess", "MinimalTlsVersion", "Force"],
  "Get-AzSqlServerAudit": ["ResourceGroupName", "ServerName"],
  "Set-AzSqlServerAudit": ["ResourceGroupName", "ServerName", "LogAnalyticsTargetState", "WorkspaceResourceId", "BlobStorageTargetState", "StorageAccountResourceId", "RetentionInDays", "AuditActionGroup"],
  "Remove-AzSqlServerAudit": ["ResourceGroupName", "ServerName"],
  "Get-AzSqlServerActiveDirectoryAdministrator": ["ResourceGroupName", "ServerName"],
  "Set-AzSqlServerActiveDirectoryAdministrator": ["ResourceGroupName", "ServerName", "DisplayName", "ObjectId", "IsAzureADOnlyAuthentication"],
  "Remove-AzSqlServerActiveDirectoryAdministrator": ["ResourceGroupName", "ServerName", "Force"],
  "Get-AzKeyVault": ["ResourceGroupName", "VaultName", "Name"],
  "Update-AzKeyVault": ["ResourceGroupName", "VaultName", "Name", "EnablePurgeProtection", "EnableRbacAuthorization", "PublicNetworkAccess"],
  "Update-AzKeyVaultNetworkRuleSet": ["ResourceGroupName", "VaultName", "DefaultAction", "Bypass", "IpAddressRange", "VirtualNetworkResourceId"],
  "Get-AzWebApp": RGN,
  "Set-AzWebApp": [...RGN, "HttpsOnly", "AssignIdentity", "MinTlsVersion", "FtpsState"],
  "Get-AzAksCluster": RGN,
  "Set-AzAksCluster": [...RGN, "ApiServerAccessAuthorizedIpRange"],
  "New-AzAksCluster": [...RGN, "GenerateSshKey", "EnableRbac", "NodeCount", "Location"],
  "Remove-AzAksCluster": [...RGN, "Force"],
  "Enable-AzAksAddon": [...RGN, "Addon"],
  "Disable-AzAksAddon": [...RGN, "Addon"],
  "Get-AzContainerRegistry": RGN,
  "Update-AzContainerRegistry": [...RGN, "EnableAdminUser", "DisableAdminUser", "NetworkRuleSet"],
  "Get-AzCosmosDBAccount": RGN,
  "Update-AzCosmosDBAccount": [...RGN, "PublicNetworkAccess", "DisableLocalAuth", "EnableVirtualNetwork", "IpRule"],
  "Get-AzSecurityPricing": ["Name"],
  "Set-AzSecurityPricing": ["Name", "PricingTier", "SubPlan"],
  "Get-AzDiagnosticSetting": ["ResourceId", "Name"],
  "New-AzDiagnosticSetting": ["Name", "ResourceId", "WorkspaceId", "StorageAccountId", "EventHubAuthorizationRuleId", "Log", "Metric"],
  "Remove-AzDiagnosticSetting": ["Name", "ResourceId"],
  "New-AzDiagnosticSettingLogSettingsObject": ["Enabled", "Category", "CategoryGroup"],
  "Get-AzVirtualNetwork": RGN,
  "Get-AzVirtualNetworkSubnetConfig": ["Name", "VirtualNetwork"],
  "New-AzPrivateLinkServiceConnection": ["Name", "PrivateLinkServiceId", "GroupId"],
  "New-AzPrivateEndpoint": [...RGN, "Location", "Subnet", "PrivateLinkServiceConnection"],
  "Remove-AzPrivateEndpoint": [...RGN, "Force"],
  "Get-AzPrivateEndpointConnection": ["PrivateLinkResourceId", "ResourceGroupName", "ServiceName", "PrivateLinkResourceType"],
  "Get-AzResource": ["ResourceId", "ResourceGroupName", "ResourceType", "ResourceName", "ApiVersion", "Name"],
  "Set-AzResource": ["ResourceId", "Properties", "ApiVersion", "Force", "InputObject"],
};
export const PS_COMMON = ["WhatIf", "Confirm", "ErrorAction", "Verbose", "Debug", "DefaultProfile"];
/** Non-Az cmdlets that may appear in drafts (pipeline helpers). */
export const PS_BUILTINS = new Set(["Select-Object", "Out-Null", "Add-Member", "Where-Object", "ForEach-Object"]);
