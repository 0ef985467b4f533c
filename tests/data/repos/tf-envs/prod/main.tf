resource "azurerm_resource_group" "prod" {
  name     = "rg-invoices-prod"
  location = "westeurope"
}

module "invoices" {
  source = "../modules/function-app"

  name                = "invoices-prod"
  resource_group_name = azurerm_resource_group.prod.name
  location            = azurerm_resource_group.prod.location
  sku_name            = "EP2"
  ftps_state          = "AllAllowed"

  app_settings = {
    FUNCTIONS_WORKER_PROCESS_COUNT = "2"
    PYTHON_THREADPOOL_THREAD_COUNT = "16"
  }

  tags = {
    environment             = "prod"
    "azfn-profile:workload" = "cpu"
  }
}

output "invoices_app" {
  value = module.invoices.function_app_name
}
