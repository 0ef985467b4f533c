locals {
  name_prefix = "${var.project}-${var.environment}"
  common_tags = merge(var.tags, {
    environment = var.environment
    managed_by  = "terraform"
  })
}

resource "azurerm_resource_group" "main" {
  name     = "rg-${local.name_prefix}"
  location = var.location
  tags     = local.common_tags
}

resource "azurerm_service_plan" "functions" {
  name                         = "asp-${local.name_prefix}"
  resource_group_name          = azurerm_resource_group.main.name
  location                     = azurerm_resource_group.main.location
  os_type                      = "Linux"
  sku_name                     = "EP1"
  maximum_elastic_worker_count = 10
  tags                         = local.common_tags
}

resource "azurerm_linux_function_app" "api" {
  name                = "func-${local.name_prefix}"
  resource_group_name = azurerm_resource_group.main.name
  location            = azurerm_resource_group.main.location
  service_plan_id     = azurerm_service_plan.functions.id

  storage_account_name          = azurerm_storage_account.functions.name
  storage_uses_managed_identity = true

  https_only                                     = true
  ftp_publish_basic_authentication_enabled       = false
  webdeploy_publish_basic_authentication_enabled = false

  identity {
    type = "SystemAssigned"
  }

  site_config {
    minimum_tls_version      = "1.2"
    elastic_instance_minimum = 1

    application_stack {
      python_version = var.python_version
    }
  }

  app_settings = {
    AzureWebJobsFeatureFlags = "EnableWorkerIndexing"
    # More worker processes than the Functions host starts (it allows 1-10).
    FUNCTIONS_WORKER_PROCESS_COUNT = "12"
    PYTHON_THREADPOOL_THREAD_COUNT = "8"
  }

  tags = local.common_tags
}

resource "azurerm_role_assignment" "storage_blob_owner" {
  scope                = azurerm_storage_account.functions.id
  role_definition_name = "Storage Blob Data Owner"
  principal_id         = azurerm_linux_function_app.api.identity[0].principal_id
}

resource "azurerm_linux_function_app_slot" "staging" {
  name            = "staging"
  function_app_id = azurerm_linux_function_app.api.id

  storage_account_name          = azurerm_storage_account.functions.name
  storage_uses_managed_identity = true
  https_only                    = true

  identity {
    type = "SystemAssigned"
  }

  site_config {
    # FTP stays open on the staging slot.
    ftps_state = "AllAllowed"

    application_stack {
      python_version = var.python_version
    }
  }

  app_settings = {
    PYTHON_THREADPOOL_THREAD_COUNT = "8"
  }
}
