targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the environment; a short hash of it names every resource.')
param environmentName string

@minLength(1)
@metadata({ azd: { type: 'location' } })
param location string

@description('Principal that may read the app\'s data while developing (optional).')
param principalId string = ''

param maximumInstanceCount int = 40

var abbrs = loadJsonContent('./abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var appName = '${abbrs.webSitesFunctions}orders-${resourceToken}'

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module logs 'br/public:avm/res/operational-insights/workspace:0.11.1' = {
  name: 'logs'
  scope: rg
  params: {
    name: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    location: location
  }
}

module insights 'br/public:avm/res/insights/component:0.6.0' = {
  name: 'insights'
  scope: rg
  params: {
    name: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    workspaceResourceId: logs.outputs.resourceId
    disableLocalAuth: true
  }
}

module storage 'br/public:avm/res/storage/storage-account:0.14.3' = {
  name: 'storage'
  scope: rg
  params: {
    name: '${abbrs.storageStorageAccounts}${resourceToken}'
    location: location
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    blobServices: { containers: [ { name: 'deployments' } ] }
  }
}

module plan 'br/public:avm/res/web/serverfarm:0.1.1' = {
  name: 'plan'
  scope: rg
  params: {
    name: '${abbrs.webServerFarms}${resourceToken}'
    location: location
    sku: {
      name: 'FC1'
      tier: 'FlexConsumption'
    }
    reserved: true
    tags: tags
  }
}

module api './app/api.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: appName
    location: location
    tags: union(tags, { 'azd-service-name': 'api' })
    planId: plan.outputs.resourceId
    storageAccountName: storage.outputs.name
    blobEndpoint: storage.outputs.primaryBlobEndpoint
    insightsConnectionString: insights.outputs.connectionString
    maximumInstanceCount: maximumInstanceCount
    runtimeVersion: '3.12'
  }
}

output AZURE_FUNCTION_NAME string = api.outputs.name
