param deploy bool
resource good 'Microsoft.Web/sites@2022-03-01' = {
  name: 'good'
  kind: 'functionapp,linux'
  properties: { httpsOnly: true }
}
resource bad 'Microsoft.Web/sites@2022-03-01' = if (deploy) {
  name: 'bad'
  kind: 'functionapp,linux'
  properties: {
    httpsOnly: false
  }
}
resource many 'Microsoft.Web/sites@2022-03-01' = [for i in range(0, 2): {
  name: 'loop${i}'
  kind: 'functionapp,linux'
  properties: {
    httpsOnly: false
  }
}]
