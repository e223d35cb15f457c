/**
 * Live Azure source: clients for Resource Graph, Defender for Cloud, Activity Log, Log Analytics and Policy over
 * the shared `src/http` pipeline; `fetchTenant` reads a tenant into a RawTenant; `syncTenant` keeps one in the
 * store incrementally and `loadTenant` reads it back.
 */
export { AzureContext, collect, type AzureClientOptions, type OperationOptions } from "./client";
export { AZURE_CLOUDS, resolveConnection, StaticTokenCredential, type AzureCloud, type AzureCloudName, type AzureConnection, type AzureConnectionOptions } from "./config";
export { fetchTenant, subscriptionsOf, TENANT_QUERIES, type FetchTenantOptions } from "./fetch-tenant";
export { queryResourceGraph, queryResourceGraphPages, subscriptionBatches, kqlString, ARG_API_VERSION, type AzureScope, type ResourceGraphPage, type ResourceGraphQueryOptions } from "./resource-graph";
export * from "./defender";
export { listActivityLog, activityFilter, ACTIVITY_API, type ActivityLogOptions } from "./activity-log";
export { queryLogAnalytics, querySentinelTable, tableToObjects, type LogAnalyticsResult, type LogAnalyticsTable, type LogAnalyticsQueryOptions } from "./log-analytics";
export { listPolicyDefinitions, listPolicyAssignments, listPolicyExemptions, queryPolicyStates, POLICY_API, type PolicyScope, type PolicyStatesOptions } from "./policy";
export { syncTenant, loadTenant, RAW_TABLES, type SyncOptions, type SyncProgress, type SyncResult } from "./sync";
export { RawRowStore } from "./raw-store";
