@description('Function app name.')
param name string
param location string = resourceGroup().location
param tags object = {}
param planId string
param storageAccountName string
param blobEndpoint string
param insightsConnectionString string
param runtimeName string = 'python'
param runtimeVersion string
param instanceMemoryMB int = 2048
param maximumInstanceCount int = 100

var settings = {
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__credential: 'managedidentity'
  APPLICATIONINSIGHTS_CONNECTION_STRING: insightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD'
}

module site 'br/public:avm/res/web/site:0.15.1' = {
  name: '${name}-site'
  params: {
    kind: 'functionapp,linux'
    name: name
    location: location
    tags: tags
    serverFarmResourceId: planId
    managedIdentities: {
      systemAssigned: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}deployments'
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: runtimeName
        version: runtimeVersion
      }
    }
    siteConfig: {
      alwaysOn: false
    }
    appSettingsKeyValuePairs: settings
    basicPublishingCredentialsPolicies: [
      {
        name: 'ftp'
        allow: false
      }
      {
        name: 'scm'
        allow: false
      }
    ]
  }
}

output name string = site.outputs.name
