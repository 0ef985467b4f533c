param name string
param location string = resourceGroup().location
param sku object
param kind string = 'elastic'

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: name
  location: location
  kind: kind
  sku: sku
  properties: {
    reserved: true
    maximumElasticWorkerCount: 20
  }
}

output id string = plan.id
output name string = plan.name
