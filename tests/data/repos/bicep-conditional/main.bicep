// Sites declared with a condition or a loop are judged like any other:
// an insecure conditional site next to a good one must not pass.
param deployLegacy bool
param regions array = [
  'westeurope'
  'northeurope'
]

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-shared'
  location: resourceGroup().location
  kind: 'elastic'
  sku: { name: 'EP1', tier: 'ElasticPremium' }
  properties: { reserved: true }
}

resource good 'Microsoft.Web/sites@2024-04-01' = {
  name: 'func-good'
  location: resourceGroup().location
  kind: 'functionapp,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: 'Python|3.12'
      ftpsState: 'Disabled'
      appSettings: [
        { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'python' }
        { name: 'PYTHON_THREADPOOL_THREAD_COUNT', value: '5' }
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

resource legacy 'Microsoft.Web/sites@2024-04-01' = if (deployLegacy) {
  name: 'func-legacy'
  location: resourceGroup().location
  kind: 'functionapp,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: plan.id
    httpsOnly: false
    siteConfig: {
      linuxFxVersion: 'Python|3.12'
      ftpsState: 'Disabled'
      appSettings: [
        { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'python' }
        { name: 'PYTHON_THREADPOOL_THREAD_COUNT', value: '5' }
      ]
    }
  }
}

resource regional 'Microsoft.Web/sites@2024-04-01' = [for (region, i) in regions: {
  name: 'func-${region}'
  location: region
  kind: 'functionapp,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: 'Python|3.12'
      minTlsVersion: i == 0 ? '1.2' : '1.0'
      ftpsState: 'Disabled'
      appSettings: [
        { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'python' }
        { name: 'PYTHON_THREADPOOL_THREAD_COUNT', value: '5' }
      ]
    }
  }
}]

resource disabled 'Microsoft.Web/sites@2024-04-01' = if (false) {
  name: 'func-never'
  location: resourceGroup().location
  kind: 'functionapp,linux'
  properties: {
    httpsOnly: false
  }
}
