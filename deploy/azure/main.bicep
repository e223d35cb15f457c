// Clarion on Azure Container Apps: one container (`clarion serve` + scheduled sync) with a user-assigned managed
// identity, least-privilege roles on the monitored subscriptions (roles.bicep), Key Vault for secrets, an Azure
// Files share for the SQLite store, and Log Analytics for container logs.
//
//   az deployment group create -g rg-clarion -f deploy/azure/main.bicep \
//     -p image=myregistry.azurecr.io/clarion:0.1.0 registryServer=myregistry.azurecr.io \
//        monitoredSubscriptionIds='["<sub-id>"]' mcpToken=<random> webhookToken=<random>

@description('Base name for the resources (3-11 lower-case letters and digits).')
@minLength(3)
@maxLength(11)
param name string = 'clarion'

param location string = resourceGroup().location

@description('Container image, e.g. myregistry.azurecr.io/clarion:0.1.0')
param image string

@description('Azure Container Registry login server pulled with the managed identity (AcrPull); empty for a public image.')
param registryServer string = ''

@description('Subscriptions Clarion reads (Reader + Security Reader on each).')
param monitoredSubscriptionIds array = [ subscription().subscriptionId ]

@description('Deployment phase: grant Resource Policy Contributor so approved fixes can be deployed. Leave false for read-only.')
param enableDeployment bool = false

@description('Seconds between background syncs (0: only the first).')
param syncIntervalSeconds int = 3600

@secure()
@description('Bearer token for the MCP endpoint and integrations (stored in Key Vault).')
param mcpToken string

@secure()
@description('Token the Sentinel playbook sends to Clarion\'s webhook (stored in Key Vault).')
param webhookToken string

@secure()
@description('API key of the LLM provider (stored in Key Vault); empty keeps the offline explanation engine.')
param llmApiKey string = ''

@description('Principal (user or group object id) allowed to manage the Key Vault secrets; empty for none.')
param secretsOfficerPrincipalId string = ''

var suffix = uniqueString(resourceGroup().id, name)
var keyVaultSecretsUserRoleId = '4633458b-17de-408a-b874-0445c86b69e6'
var keyVaultSecretsOfficerRoleId = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
var acrPullRoleId = '7f951dda-4ed3-4680-a7ca-43fe172d538d'
var useLlm = !empty(llmApiKey)

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-${name}'
  location: location
}

resource logs 'Microsoft.OperationalInsights/workspaces@2022-10-01' = {
  name: 'log-${name}-${suffix}'
  location: location
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: 'kv-${name}-${take(suffix, 8)}'
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource mcpTokenSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'clarion-mcp-token'
  properties: { value: mcpToken }
}

resource webhookTokenSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'clarion-webhook-token'
  properties: { value: webhookToken }
}

resource llmKeySecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (useLlm) {
  parent: vault
  name: 'clarion-llm-api-key'
  properties: { value: llmApiKey }
}

// The app reads its secrets, nothing more.
resource vaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, keyVaultSecretsUserRoleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRoleId)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource vaultSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(secretsOfficerPrincipalId)) {
  name: guid(vault.id, secretsOfficerPrincipalId, keyVaultSecretsOfficerRoleId)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsOfficerRoleId)
    principalId: secretsOfficerPrincipalId
  }
}

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = if (!empty(registryServer)) {
  name: split(registryServer, '.')[0]
}

resource acrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(registryServer)) {
  name: guid(resourceGroup().id, registryServer, identity.id, acrPullRoleId)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPullRoleId)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: 'st${name}${take(suffix, 10)}'
  location: location
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    // Container Apps mounts Azure Files with the account key
    allowSharedKeyAccess: true
  }
}

resource fileService 'Microsoft.Storage/storageAccounts/fileServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource share 'Microsoft.Storage/storageAccounts/fileServices/shares@2023-05-01' = {
  parent: fileService
  name: 'clarion-data'
  properties: { shareQuota: 100 }
}

resource environment 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: 'cae-${name}'
  location: location
  properties: {
    appLogsConfiguration: {
      destination: 'log-analytics'
      logAnalyticsConfiguration: {
        customerId: logs.properties.customerId
        sharedKey: logs.listKeys().primarySharedKey
      }
    }
  }
}

resource environmentStorage 'Microsoft.App/managedEnvironments/storages@2024-03-01' = {
  parent: environment
  name: 'clarion-data'
  properties: {
    azureFile: {
      accountName: storage.name
      accountKey: storage.listKeys().keys[0].value
      shareName: share.name
      accessMode: 'ReadWrite'
    }
  }
}

var baseSecrets = [
  { name: 'mcp-token', keyVaultUrl: mcpTokenSecret.properties.secretUri, identity: identity.id }
  { name: 'webhook-token', keyVaultUrl: webhookTokenSecret.properties.secretUri, identity: identity.id }
]
var llmSecrets = useLlm ? [ { name: 'llm-api-key', keyVaultUrl: llmKeySecret.properties.secretUri, identity: identity.id } ] : []
var baseEnv = [
  { name: 'AZURE_CLIENT_ID', value: identity.properties.clientId }
  { name: 'CLARION_DB', value: '/data/clarion.db' }
  { name: 'CLARION_SYNC_INTERVAL', value: string(syncIntervalSeconds) }
  { name: 'CLARION_SYNC_ARGS', value: '--subscription ${join(monitoredSubscriptionIds, ' ')}' }
  { name: 'CLARION_MCP_TOKEN', secretRef: 'mcp-token' }
  { name: 'CLARION_WEBHOOK_TOKEN', secretRef: 'webhook-token' }
  { name: 'CLARION_DEPLOYMENT_ENABLED', value: string(enableDeployment) }
]
var llmEnv = useLlm ? [ { name: 'CLARION_LLM_API_KEY', secretRef: 'llm-api-key' } ] : []

resource app 'Microsoft.App/containerApps@2024-03-01' = {
  name: 'ca-${name}'
  location: location
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identity.id}': {} }
  }
  dependsOn: [ vaultSecretsUser, acrPull ]
  properties: {
    managedEnvironmentId: environment.id
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: {
        external: true
        targetPort: 8080
        transport: 'http'
        allowInsecure: false
      }
      registries: empty(registryServer) ? [] : [ { server: registryServer, identity: identity.id } ]
      secrets: concat(baseSecrets, llmSecrets)
    }
    template: {
      containers: [
        {
          name: 'clarion'
          image: image
          args: [ 'serve' ]
          env: concat(baseEnv, llmEnv)
          resources: { cpu: json('1.0'), memory: '2Gi' }
          volumeMounts: [ { volumeName: 'data', mountPath: '/data' } ]
          probes: [
            { type: 'Liveness', httpGet: { path: '/healthz', port: 8080 }, initialDelaySeconds: 20, periodSeconds: 30 }
            { type: 'Startup', httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 10, failureThreshold: 30 }
          ]
        }
      ]
      // SQLite has one writer: exactly one replica. Use PostgreSQL to scale out.
      scale: { minReplicas: 1, maxReplicas: 1 }
      volumes: [ { name: 'data', storageType: 'AzureFile', storageName: environmentStorage.name } ]
    }
  }
}

module subscriptionRoles 'roles.bicep' = [for sub in monitoredSubscriptionIds: {
  name: 'clarion-roles-${take(uniqueString(sub, name), 8)}'
  scope: subscription(sub)
  params: {
    principalId: identity.properties.principalId
    enableDeployment: enableDeployment
  }
}]

output url string = 'https://${app.properties.configuration.ingress.fqdn}'
output identityPrincipalId string = identity.properties.principalId
output identityClientId string = identity.properties.clientId
output keyVaultName string = vault.name
