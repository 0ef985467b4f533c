resource s 'Microsoft.Web/sites@2022-03-01' = {
  name: 'x'
  kind: 'functionapp'
  properties: {
    httpsOnly: false
  }
}
