// Clarion: the AI_CSPMRecommendations_CL custom table and the DCR (kind Direct) that feeds it through the
// Logs Ingestion API. The ARM twin is ai-cspm-recommendations.json; keep both in step.
// Stream columns are the Sentinel row contract (src/delivery/sentinel-row.ts: the finding in PascalCase +
// TimeGenerated); the transform renames the four names Log Analytics reserves for custom tables.

@description('Log Analytics workspace (with Microsoft Sentinel) that holds the table.')
param workspaceName string
param location string = resourceGroup().location
param dcrName string = 'dcr-clarion-cspm'
@minValue(4)
@maxValue(730)
param retentionInDays int = 90
@description('Object id of Clarion\'s identity; gets Monitoring Metrics Publisher on the DCR. Empty: no role assignment.')
param publisherPrincipalId string = ''

var tableName = 'AI_CSPMRecommendations_CL'
var streamName = 'Custom-AI_CSPMRecommendations_CL'
var metricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

resource workspace 'Microsoft.OperationalInsights/workspaces@2022-10-01' existing = {
  name: workspaceName
}

resource table 'Microsoft.OperationalInsights/workspaces/tables@2022-10-01' = {
  parent: workspace
  name: tableName
  properties: {
    plan: 'Analytics'
    retentionInDays: retentionInDays
    schema: {
      name: tableName
      description: 'Clarion enriched Defender for Cloud findings (one row per finding per run).'
      columns: [
        { name: 'TimeGenerated', type: 'datetime' }
        { name: 'Id', type: 'string' }
        { name: 'AzureResourceId', type: 'string' }
        { name: 'AzureResourceName', type: 'string' }
        { name: 'AzureResourceType', type: 'string' }
        { name: 'AzureSubscriptionId', type: 'string' }
        { name: 'ResourceGroup', type: 'string' }
        { name: 'Environment', type: 'string' }
        { name: 'Recommendation', type: 'dynamic' }
        { name: 'Status', type: 'string' }
        { name: 'Risk', type: 'dynamic' }
        { name: 'Owner', type: 'dynamic' }
        { name: 'Controls', type: 'dynamic' }
        { name: 'AttackPaths', type: 'dynamic' }
        { name: 'RootCause', type: 'dynamic' }
        { name: 'Explanation', type: 'dynamic' }
        { name: 'Remediation', type: 'dynamic' }
        { name: 'Exemption', type: 'dynamic' }
        { name: 'Dossier', type: 'dynamic' }
        { name: 'FirstSeen', type: 'string' }
        { name: 'StatusChangeDate', type: 'string' }
      ]
    }
  }
}

resource dcr 'Microsoft.Insights/dataCollectionRules@2023-03-11' = {
  name: dcrName
  location: location
  kind: 'Direct'
  dependsOn: [table]
  properties: {
    streamDeclarations: {
      '${streamName}': {
        columns: [
          { name: 'TimeGenerated', type: 'datetime' }
          { name: 'Id', type: 'string' }
          { name: 'ResourceId', type: 'string' }
          { name: 'ResourceName', type: 'string' }
          { name: 'ResourceType', type: 'string' }
          { name: 'SubscriptionId', type: 'string' }
          { name: 'ResourceGroup', type: 'string' }
          { name: 'Environment', type: 'string' }
          { name: 'Recommendation', type: 'dynamic' }
          { name: 'Status', type: 'string' }
          { name: 'Risk', type: 'dynamic' }
          { name: 'Owner', type: 'dynamic' }
          { name: 'Controls', type: 'dynamic' }
          { name: 'AttackPaths', type: 'dynamic' }
          { name: 'RootCause', type: 'dynamic' }
          { name: 'Explanation', type: 'dynamic' }
          { name: 'Remediation', type: 'dynamic' }
          { name: 'Exemption', type: 'dynamic' }
          { name: 'Dossier', type: 'dynamic' }
          { name: 'FirstSeen', type: 'string' }
          { name: 'StatusChangeDate', type: 'string' }
        ]
      }
    }
    destinations: {
      logAnalytics: [{ name: 'clarionWorkspace', workspaceResourceId: workspace.id }]
    }
    dataFlows: [
      {
        streams: [streamName]
        destinations: ['clarionWorkspace']
        transformKql: 'source | project-rename AzureResourceId = ResourceId, AzureResourceName = ResourceName, AzureResourceType = ResourceType, AzureSubscriptionId = SubscriptionId'
        outputStream: streamName
      }
    ]
  }
}

resource publisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(publisherPrincipalId)) {
  name: guid(dcr.id, publisherPrincipalId, metricsPublisher)
  scope: dcr
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', metricsPublisher)
    principalId: publisherPrincipalId
    principalType: 'ServicePrincipal'
  }
}

output dcrImmutableId string = dcr.properties.immutableId
output logsIngestionEndpoint string = dcr.properties.endpoints.logsIngestion
output streamName string = streamName
