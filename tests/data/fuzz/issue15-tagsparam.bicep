param tags object
resource s 'Microsoft.Web/sites@2022-03-01' = {
  name: 'x'
  kind: 'functionapp'
  tags: tags
}
