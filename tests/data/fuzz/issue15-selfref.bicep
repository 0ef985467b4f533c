var a = [a, a, a, a, a, a, a, a]
resource s 'Microsoft.Web/sites@2022-03-01' = {
  name: string(a)
  kind: 'functionapp'
}
