param name string
param location string = resourceGroup().location
param planId string
param kind string
param runtimeName string
param runtimeVersion string
param appSettings object = {}
@allowed(['Disabled', 'FtpsOnly', 'AllAllowed'])
param ftpsState string = 'Disabled'

resource functions 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  kind: kind
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: planId
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: '${toUpper(runtimeName)}|${runtimeVersion}'
      minTlsVersion: '1.2'
      ftpsState: ftpsState
    }
  }

  resource settings 'config' = {
    name: 'appsettings'
    properties: union(appSettings, {
      FUNCTIONS_EXTENSION_VERSION: '~4'
      FUNCTIONS_WORKER_RUNTIME: runtimeName
    })
  }

  resource ftp 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: { allow: false }
  }

  resource scm 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: { allow: false }
  }
}

output name string = functions.name
