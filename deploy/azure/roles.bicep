// Clarion's role assignments on one monitored subscription (deployed once per subscription by main.bicep).
// Read-only phase: Reader + Security Reader. Resource Policy Contributor only when deployment is enabled
// (the approval workflow's deploy step writes policy definitions and assignments; nothing else).
targetScope = 'subscription'

@description('Principal id of Clarion\'s user-assigned managed identity.')
param principalId string

@description('Grant Resource Policy Contributor so approved fixes can be deployed as Azure Policy. Off for the read-only phase.')
param enableDeployment bool = false

var readerRoleId = 'acdd72a7-3385-48ef-bd42-f606fba81ae7'
var securityReaderRoleId = '39bc4728-0917-49c7-9d2c-d95423bc2eb4'
var resourcePolicyContributorRoleId = '36243c78-bf99-498c-9df9-86d9f8d28608'

resource reader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, principalId, readerRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', readerRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'Clarion: read the inventory (Resource Graph) and the Activity Log'
  }
}

resource securityReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(subscription().id, principalId, securityReaderRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', securityReaderRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'Clarion: read Defender for Cloud assessments, alerts and regulatory compliance'
  }
}

resource policyContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (enableDeployment) {
  name: guid(subscription().id, principalId, resourcePolicyContributorRoleId)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', resourcePolicyContributorRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'Clarion: deploy approved Azure Policy fixes (enabled by enableDeployment)'
  }
}

output roles array = enableDeployment ? [ 'Reader', 'Security Reader', 'Resource Policy Contributor' ] : [ 'Reader', 'Security Reader' ]
