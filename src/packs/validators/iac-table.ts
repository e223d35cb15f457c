/**
 * Structural schema for the IaC Clarion generates: ARM types with API versions and property paths (relative to
 * `properties`, arrays as `[*]`), and azurerm resource types with their argument paths. Kept by hand from the ARM
 * REST specs and the azurerm provider docs (>= 4.0); the ARM paths are cross-checked against the real policy alias
 * catalog in ../shared when it is present (see validators.test.ts).
 */
export const ARM_TYPES: Record<string, { apiVersions: string[]; paths: string[] }> = {
  "Microsoft.Storage/storageAccounts": { apiVersions: ["2023-01-01", "2023-05-01"], paths: ["supportsHttpsTrafficOnly", "allowBlobPublicAccess", "allowSharedKeyAccess", "minimumTlsVersion", "publicNetworkAccess", "networkAcls.defaultAction", "networkAcls.bypass", "encryption.keySource", "encryption.keyvaultproperties.keyvaulturi", "encryption.keyvaultproperties.keyname"] },
  "Microsoft.Network/privateEndpoints": { apiVersions: ["2023-09-01", "2023-11-01"], paths: ["subnet.id", "privateLinkServiceConnections[*].name", "privateLinkServiceConnections[*].properties.privateLinkServiceId", "privateLinkServiceConnections[*].properties.groupIds"] },
  "Microsoft.Sql/servers": { apiVersions: ["2021-11-01", "2023-05-01-preview"], paths: ["publicNetworkAccess", "minimalTlsVersion"] },
  "Microsoft.Sql/servers/administrators": { apiVersions: ["2021-11-01"], paths: ["administratorType", "login", "sid", "tenantId"] },
  "Microsoft.Sql/servers/auditingSettings": { apiVersions: ["2021-11-01"], paths: ["state", "isAzureMonitorTargetEnabled", "retentionDays"] },
  "Microsoft.KeyVault/vaults": { apiVersions: ["2022-07-01", "2023-07-01"], paths: ["tenantId", "sku.family", "sku.name", "enablePurgeProtection", "enableSoftDelete", "softDeleteRetentionInDays", "enableRbacAuthorization", "publicNetworkAccess", "networkAcls.defaultAction", "networkAcls.bypass"] },
  "Microsoft.Insights/diagnosticSettings": { apiVersions: ["2021-05-01-preview"], paths: ["workspaceId", "logs[*].categoryGroup", "logs[*].category", "logs[*].enabled"] },
  "Microsoft.Security/pricings": { apiVersions: ["2023-01-01", "2024-01-01"], paths: ["pricingTier", "subPlan"] },
  "Microsoft.Web/sites": { apiVersions: ["2022-09-01", "2023-12-01"], paths: ["httpsOnly", "serverFarmId", "clientCertEnabled"] },
  "Microsoft.Web/sites/config": { apiVersions: ["2022-09-01", "2023-12-01"], paths: ["minTlsVersion", "ftpsState", "remoteDebuggingEnabled"] },
  "Microsoft.ContainerService/managedClusters": { apiVersions: ["2024-02-01", "2024-05-01"], paths: ["dnsPrefix", "enableRBAC", "aadProfile.managed", "aadProfile.enableAzureRBAC", "apiServerAccessProfile.authorizedIPRanges", "addonProfiles.azurepolicy.enabled", "agentPoolProfiles[*].name", "agentPoolProfiles[*].mode", "agentPoolProfiles[*].count", "agentPoolProfiles[*].vmSize"] },
  "Microsoft.ContainerRegistry/registries": { apiVersions: ["2023-07-01"], paths: ["adminUserEnabled", "publicNetworkAccess", "networkRuleSet.defaultAction"] },
  "Microsoft.DocumentDB/databaseAccounts": { apiVersions: ["2024-05-15"], paths: ["databaseAccountOfferType", "locations[*].locationName", "locations[*].failoverPriority", "locations[*].isZoneRedundant", "publicNetworkAccess", "disableLocalAuth"] },
  // Referenced as `existing` scopes for diagnostic settings only (no properties written).
  "Microsoft.Batch/batchAccounts": { apiVersions: ["2024-02-01"], paths: [] },
  "Microsoft.EventHub/namespaces": { apiVersions: ["2024-01-01"], paths: [] },
  "Microsoft.Logic/workflows": { apiVersions: ["2019-05-01"], paths: [] },
  "Microsoft.ServiceBus/namespaces": { apiVersions: ["2021-11-01"], paths: [] },
  "Microsoft.StreamAnalytics/streamingJobs": { apiVersions: ["2020-03-01"], paths: [] },
};

/** Top-level members a resource body may carry besides `properties`. */
export const ARM_TOP = new Set(["type", "apiVersion", "name", "location", "sku", "kind", "identity", "tags", "scope", "properties", "dependsOn"]);

export const TF_TYPES: Record<string, string[]> = {
  azurerm_storage_account: ["https_traffic_only_enabled", "allow_nested_items_to_be_public", "shared_access_key_enabled", "min_tls_version", "public_network_access_enabled", "network_rules", "network_rules.default_action", "network_rules.bypass"],
  azurerm_storage_account_customer_managed_key: ["storage_account_id", "key_vault_id", "key_name", "user_assigned_identity_id"],
  azurerm_private_endpoint: ["name", "location", "resource_group_name", "subnet_id", "private_service_connection", "private_service_connection.name", "private_service_connection.private_connection_resource_id", "private_service_connection.subresource_names", "private_service_connection.is_manual_connection"],
  azurerm_mssql_server: ["public_network_access_enabled", "minimum_tls_version", "azuread_administrator", "azuread_administrator.login_username", "azuread_administrator.object_id"],
  azurerm_mssql_server_extended_auditing_policy: ["server_id", "log_monitoring_enabled", "retention_in_days", "storage_endpoint"],
  azurerm_key_vault: ["purge_protection_enabled", "soft_delete_retention_days", "enable_rbac_authorization", "public_network_access_enabled", "network_acls", "network_acls.default_action", "network_acls.bypass"],
  azurerm_monitor_diagnostic_setting: ["name", "target_resource_id", "log_analytics_workspace_id", "enabled_log", "enabled_log.category", "enabled_log.category_group"],
  azurerm_security_center_subscription_pricing: ["tier", "resource_type", "subplan"],
  azurerm_linux_web_app: ["https_only", "site_config", "site_config.minimum_tls_version", "site_config.ftps_state", "site_config.remote_debugging_enabled", "identity", "identity.type"],
  azurerm_linux_function_app: ["https_only", "site_config", "site_config.minimum_tls_version", "site_config.ftps_state", "site_config.remote_debugging_enabled", "identity", "identity.type"],
  azurerm_kubernetes_cluster: ["role_based_access_control_enabled", "azure_policy_enabled", "api_server_access_profile", "api_server_access_profile.authorized_ip_ranges"],
  azurerm_container_registry: ["admin_enabled", "public_network_access_enabled", "network_rule_set", "network_rule_set.default_action"],
  azurerm_cosmosdb_account: ["public_network_access_enabled", "local_authentication_disabled"],
};
