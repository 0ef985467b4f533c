// Two function apps from one shared module; the caller decides kind and runtime.
param environmentName string
param location string = resourceGroup().location
@secure()
param legacyStorageKey string = 'AAAAdefaultkeynotsecret=='

var token = uniqueString(resourceGroup().id, environmentName)

module plan './core/host/appserviceplan.bicep' = {
  name: 'plan'
  params: {
    name: 'plan-${token}'
    location: location
    sku: {
      name: 'EP2'
      tier: 'ElasticPremium'
    }
  }
}

module api './core/host/functions.bicep' = {
  name: 'api'
  params: {
    name: 'func-api-${token}'
    location: location
    planId: plan.outputs.id
    kind: 'functionapp,linux'
    runtimeName: 'python'
    runtimeVersion: '3.11'
    appSettings: {
      PYTHON_THREADPOOL_THREAD_COUNT: '6'
    }
  }
}

module legacy './core/host/functions.bicep' = {
  name: 'legacy'
  params: {
    name: 'func-legacy-${token}'
    location: location
    planId: plan.outputs.id
    kind: 'functionapp,linux'
    runtimeName: 'python'
    runtimeVersion: '3.11'
    appSettings: {
      FUNCTIONS_WORKER_PROCESS_COUNT: '12'
      AzureWebJobsStorage: 'DefaultEndpointsProtocol=https;AccountName=stlegacy;AccountKey=${legacyStorageKey}'
    }
    ftpsState: 'AllAllowed'
  }
}
