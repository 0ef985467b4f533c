resource "azurerm_resource_group" "dev" {
  name     = "rg-invoices-dev"
  location = "northeurope"
}

module "invoices" {
  source = "../modules/function-app"

  name                = "invoices-dev"
  resource_group_name = azurerm_resource_group.dev.name
  location            = azurerm_resource_group.dev.location
  sku_name            = "Y1"

  app_settings = {
    PYTHON_THREADPOOL_THREAD_COUNT = "4"
  }

  tags = { environment = "dev" }
}
