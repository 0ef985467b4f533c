// AVM web/site 0.16+ writes settings through `configs`; a slot brings its own.
param prefix string = 'orders'
param location string = resourceGroup().location

module plan 'br:mcr.microsoft.com/bicep/avm/res/web/serverfarm:0.4.1' = {
  name: 'plan'
  params: {
    name: '${prefix}-plan'
    location: location
    skuName: 'P1v3'
    skuCapacity: 1
    kind: 'linux'
  }
}

module storage 'br/public:avm/res/storage/storage-account:0.25.0' = {
  name: 'storage'
  params: {
    name: '${prefix}store'
    location: location
  }
}

module network 'br:contoso.azurecr.io/bicep/modules/network:1.2.0' = {
  name: 'network'
  params: {
    prefix: prefix
  }
}

module app 'br/public:avm/res/web/site:0.19.3' = {
  name: 'app'
  params: {
    kind: 'functionapp,linux'
    name: '${prefix}-func'
    location: location
    serverFarmResourceId: plan.outputs.resourceId
    managedIdentities: { systemAssigned: true }
    siteConfig: {
      linuxFxVersion: 'Python|3.12'
      alwaysOn: true
      ftpsState: 'Disabled'
    }
    configs: [
      {
        name: 'appsettings'
        storageAccountResourceId: storage.outputs.resourceId
        properties: {
          FUNCTIONS_EXTENSION_VERSION: '~4'
          FUNCTIONS_WORKER_RUNTIME: 'python'
          FUNCTIONS_WORKER_PROCESS_COUNT: '2'
          PYTHON_THREADPOOL_THREAD_COUNT: '6'
        }
      }
    ]
    basicPublishingCredentialsPolicies: [
      { name: 'ftp', allow: false }
      { name: 'scm', allow: false }
    ]
    slots: [
      {
        name: 'staging'
        configs: [
          {
            name: 'appsettings'
            storageAccountResourceId: storage.outputs.resourceId
            storageAccountUseIdentityAuthentication: true
            properties: {
              FUNCTIONS_EXTENSION_VERSION: '~4'
              FUNCTIONS_WORKER_RUNTIME: 'python'
              FUNCTIONS_WORKER_PROCESS_COUNT: '16'
            }
          }
        ]
      }
    ]
  }
}
