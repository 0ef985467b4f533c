// Two apps on Consumption plans declared without `reserved`, so both run on
// Windows: a PowerShell app (fine there) and a Python app, which Azure Functions
// runs only on Linux. Windows Consumption is not retiring; the Python app is
// wrong because of its operating system, not because of the plan's retirement.
@description('Prefix of every resource name.')
param namePrefix string = 'ops'

@description('Location for all resources.')
param location string = resourceGroup().location

var storageName = '${namePrefix}st${uniqueString(resourceGroup().id)}'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageName
  location: location
  sku: { name: 'Standard_LRS' }
  kind: 'StorageV2'
  properties: {
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
  }
}

resource scriptsPlan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: '${namePrefix}-scripts-plan'
  location: location
  kind: 'functionapp'
  sku: {
    name: 'Y1'
    tier: 'Dynamic'
  }
}

resource scripts 'Microsoft.Web/sites@2023-12-01' = {
  name: '${namePrefix}-scripts'
  location: location
  kind: 'functionapp'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: scriptsPlan.id
    httpsOnly: true
    siteConfig: {
      powerShellVersion: '7.4'
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      appSettings: [
        { name: 'AzureWebJobsStorage__accountName', value: storage.name }
        { name: 'FUNCTIONS_EXTENSION_VERSION', value: '~4' }
        { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'powershell' }
      ]
    }
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

resource reportsPlan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: '${namePrefix}-reports-plan'
  location: location
  kind: 'functionapp'
  sku: {
    name: 'Y1'
    tier: 'Dynamic'
  }
  properties: {}
}

resource reports 'Microsoft.Web/sites@2023-12-01' = {
  name: '${namePrefix}-reports'
  location: location
  kind: 'functionapp'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: reportsPlan.id
    httpsOnly: true
    siteConfig: {
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      appSettings: [
        { name: 'AzureWebJobsStorage__accountName', value: storage.name }
        { name: 'FUNCTIONS_EXTENSION_VERSION', value: '~4' }
        { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'python' }
        { name: 'PYTHON_THREADPOOL_THREAD_COUNT', value: '8' }
      ]
    }
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
