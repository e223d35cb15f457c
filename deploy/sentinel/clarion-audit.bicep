// Clarion: the ClarionAudit_CL custom table and the DCR (kind Direct) that feeds it through the Logs Ingestion
// API, for `clarion audit export --sink NAME` (docs/delivery.md, "Audit log to Log Analytics / Sentinel").
// The ARM twin is clarion-audit.json; keep both in step.
// Stream and table columns are the audit row contract (src/delivery/audit-row.ts: the stored audit event in
// PascalCase + TimeGenerated + ChainId); no column uses a name Log Analytics reserves, so the transform is `source`.

@description('Log Analytics workspace (with Microsoft Sentinel) that holds the table.')
param workspaceName string
param location string = resourceGroup().location
param dcrName string = 'dcr-clarion-audit'
@minValue(4)
@maxValue(730)
param retentionInDays int = 365
@description('Object id of Clarion\'s identity; gets Monitoring Metrics Publisher on the DCR. Empty: no role assignment.')
param publisherPrincipalId string = ''

var tableName = 'ClarionAudit_CL'
var streamName = 'Custom-ClarionAudit_CL'
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
      description: 'Clarion hash-chained audit log (one row per audit event; re-check the chain by Seq, PrevHash and Hash).'
      columns: [
        { name: 'TimeGenerated', type: 'datetime' }
        { name: 'ChainId', type: 'string' }
        { name: 'Seq', type: 'long' }
        { name: 'Time', type: 'string' }
        { name: 'Actor', type: 'string' }
        { name: 'Action', type: 'string' }
        { name: 'Subject', type: 'string' }
        { name: 'Digest', type: 'string' }
        { name: 'Details', type: 'dynamic' }
        { name: 'PrevHash', type: 'string' }
        { name: 'Hash', type: 'string' }
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
          { name: 'ChainId', type: 'string' }
          { name: 'Seq', type: 'long' }
          { name: 'Time', type: 'string' }
          { name: 'Actor', type: 'string' }
          { name: 'Action', type: 'string' }
          { name: 'Subject', type: 'string' }
          { name: 'Digest', type: 'string' }
          { name: 'Details', type: 'dynamic' }
          { name: 'PrevHash', type: 'string' }
          { name: 'Hash', type: 'string' }
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
        transformKql: 'source'
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
