locals {
  linux   = var.hosting == "linux"
  windows = var.hosting == "windows"
  flex    = var.hosting == "flex"
}

resource "azurerm_service_plan" "this" {
  name                = "asp-${var.name}"
  resource_group_name = var.resource_group_name
  location            = var.location
  os_type             = local.windows ? "Windows" : "Linux"
  sku_name            = local.flex ? "FC1" : var.sku_name
}

resource "azurerm_linux_function_app" "this" {
  count = local.linux ? 1 : 0

  name                          = "func-${var.name}"
  resource_group_name           = var.resource_group_name
  location                      = var.location
  service_plan_id               = azurerm_service_plan.this.id
  storage_account_name          = var.storage_account_name
  storage_uses_managed_identity = true
  https_only                    = true

  ftp_publish_basic_authentication_enabled       = false
  webdeploy_publish_basic_authentication_enabled = false

  identity {
    type = "SystemAssigned"
  }

  site_config {
    application_stack {
      python_version = "3.11"
    }
  }

  app_settings = var.app_settings
}

resource "azurerm_windows_function_app" "this" {
  count = local.windows ? 1 : 0

  name                          = "func-${var.name}"
  resource_group_name           = var.resource_group_name
  location                      = var.location
  service_plan_id               = azurerm_service_plan.this.id
  storage_account_name          = var.storage_account_name
  storage_uses_managed_identity = true
  https_only                    = true

  identity {
    type = "SystemAssigned"
  }

  site_config {
    application_stack {
      dotnet_version              = "v8.0"
      use_dotnet_isolated_runtime = true
    }
  }

  app_settings = var.app_settings
}

resource "azurerm_function_app_flex_consumption" "this" {
  count = local.flex ? 1 : 0

  name                = "func-${var.name}"
  resource_group_name = var.resource_group_name
  location            = var.location
  service_plan_id     = azurerm_service_plan.this.id

  storage_container_type      = "blobContainer"
  storage_container_endpoint  = "${var.blob_endpoint}deployments"
  storage_authentication_type = "SystemAssignedIdentity"

  runtime_name           = "python"
  runtime_version        = "3.11"
  maximum_instance_count = 100
  http_concurrency       = 16

  https_only                                     = true
  webdeploy_publish_basic_authentication_enabled = false

  identity {
    type = "SystemAssigned"
  }

  site_config {}

  app_settings = var.app_settings
}
