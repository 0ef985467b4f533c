locals {
  base_settings = {
    AzureWebJobsFeatureFlags = "EnableWorkerIndexing"
  }
}

resource "azurerm_storage_account" "host" {
  name                            = lower(replace("st${var.name}", "-", ""))
  resource_group_name             = var.resource_group_name
  location                        = var.location
  account_tier                    = "Standard"
  account_replication_type        = "ZRS"
  allow_nested_items_to_be_public = false
  tags                            = var.tags
}

resource "azurerm_service_plan" "plan" {
  name                = "asp-${var.name}"
  resource_group_name = var.resource_group_name
  location            = var.location
  os_type             = "Linux"
  sku_name            = var.sku_name
  tags                = var.tags
}

resource "azurerm_linux_function_app" "app" {
  name                          = "func-${var.name}"
  resource_group_name           = var.resource_group_name
  location                      = var.location
  service_plan_id               = azurerm_service_plan.plan.id
  storage_account_name          = azurerm_storage_account.host.name
  storage_uses_managed_identity = true
  https_only                    = true

  ftp_publish_basic_authentication_enabled       = false
  webdeploy_publish_basic_authentication_enabled = false

  identity {
    type = "SystemAssigned"
  }

  site_config {
    ftps_state = var.ftps_state

    application_stack {
      python_version = var.python_version
    }
  }

  app_settings = merge(local.base_settings, var.app_settings)
  tags         = var.tags
}
