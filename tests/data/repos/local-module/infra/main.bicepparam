using './main.bicep'

param environmentName = 'prod'
param legacyStorageKey = 'c2VjcmV0LWtleS1mcm9tLXBhcmFtcw=='
