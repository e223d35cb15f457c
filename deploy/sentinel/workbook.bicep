// Clarion's Sentinel workbook over AI_CSPMRecommendations_CL (the gallery template is workbook.json beside this file).
// Deploy: az deployment group create -g <rg-of-the-workspace> -f deploy/sentinel/workbook.bicep -p workspaceId=<workspace resource id>

@description('Resource id of the Log Analytics workspace (with Microsoft Sentinel) that holds AI_CSPMRecommendations_CL.')
param workspaceId string

@description('Name shown in the Sentinel workbook gallery.')
param workbookDisplayName string = 'Clarion - Defender for Cloud findings'

param location string = resourceGroup().location

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, workspaceId, workbookDisplayName)
  location: location
  kind: 'shared'
  properties: {
    displayName: workbookDisplayName
    category: 'sentinel'
    sourceId: workspaceId
    serializedData: loadTextContent('workbook.json')
    version: '1.0'
  }
}

output workbookId string = workbook.id
