// A function app the way many teams write it by hand.
param appName string = 'legacy-fn'
param location string = resourceGroup().location
var planName = '${appName}-plan'

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: 'legacy-fn-plan'
  location: location
  kind: 'elastic'
  sku: {
    name: 'EP3'
    tier: 'ElasticPremium'
  }
  properties: {
    reserved: true
  }
  tags: {
    'azfn-profile:workload': 'cpu'
  }
}

resource site 'Microsoft.Web/sites@2023-12-01' = {
  name: appName
  location: location
  kind: 'functionapp,linux'
  tags: {
    'azfn-profile:workload': 'cpu'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: false
    siteConfig: {
      linuxFxVersion: 'Python|3.12'
      ftpsState: 'FtpsOnly'
    }
  }
}

resource settings 'Microsoft.Web/sites/config@2023-12-01' = {
  parent: site
  name: 'appsettings'
  properties: {
    FUNCTIONS_EXTENSION_VERSION: '~4'
    FUNCTIONS_WORKER_RUNTIME: 'python'
    FUNCTIONS_WORKER_PROCESS_COUNT: '1'
    PYTHON_THREADPOOL_THREAD_COUNT: '8'
  }
}
