// A Python function app on a dedicated plan whose slots are optional, written the
// ways shared templates write them: a flag that defaults to false, a list of
// preview slots that defaults to empty, a slot kept out with `if (false)`, and a
// canary slot that depends on a parameter only the pipeline supplies.
@description('Name of the function app.')
param appName string = 'func-billing'

@description('Location for all resources.')
param location string = resourceGroup().location

@description('Create the staging slot.')
param deployStagingSlot bool = false

@description('Names of short-lived preview slots.')
param previewSlotNames array = []

@description('Supplied by the release pipeline.')
param enableCanary bool

var slotSiteConfig = {
  linuxFxVersion: 'Python|3.12'
  alwaysOn: true
  ftpsState: 'AllAllowed'
  appSettings: [
    { name: 'FUNCTIONS_EXTENSION_VERSION', value: '~4' }
    { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'python' }
  ]
}

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: '${appName}-plan'
  location: location
  kind: 'linux'
  sku: {
    name: 'P1v3'
    tier: 'PremiumV3'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2023-12-01' = {
  name: appName
  location: location
  kind: 'functionapp,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: 'Python|3.12'
      alwaysOn: true
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      appSettings: [
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

  resource staging 'slots' = if (deployStagingSlot) {
    name: 'staging'
    location: location
    properties: {
      serverFarmId: plan.id
      httpsOnly: false
      siteConfig: slotSiteConfig
    }
  }
}

resource previews 'Microsoft.Web/sites/slots@2023-12-01' = [for slotName in previewSlotNames: {
  parent: site
  name: slotName
  location: location
  properties: {
    serverFarmId: plan.id
    httpsOnly: false
    siteConfig: slotSiteConfig
  }
}]

resource retired 'Microsoft.Web/sites/slots@2023-12-01' = if (false) {
  parent: site
  name: 'legacy'
  location: location
  properties: {
    serverFarmId: plan.id
    httpsOnly: false
    siteConfig: slotSiteConfig
  }
}

resource canary 'Microsoft.Web/sites/slots@2023-12-01' = if (enableCanary) {
  parent: site
  name: 'canary'
  location: location
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: 'Python|3.12'
      alwaysOn: true
      ftpsState: 'FtpsOnly'
      minTlsVersion: '1.2'
      appSettings: [
        { name: 'FUNCTIONS_EXTENSION_VERSION', value: '~4' }
        { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'python' }
      ]
    }
  }
}
