terraform {
  required_providers {
    azurerm = {
      source = "hashicorp/azurerm"
    }
  }
}

provider "azurerm" {
  features {}
}

variable "regions" {
  description = "Extra regions that get their own copy of the report app."
  type        = set(string)
}

resource "azurerm_resource_group" "apps" {
  name     = "rg-apps"
  location = "westeurope"
}

resource "azurerm_storage_account" "shared" {
  name                            = "stappsshared"
  resource_group_name             = azurerm_resource_group.apps.name
  location                        = azurerm_resource_group.apps.location
  account_tier                    = "Standard"
  account_replication_type        = "LRS"
  allow_nested_items_to_be_public = false
}

module "orders" {
  source               = "./modules/function-app"
  name                 = "orders"
  hosting              = "linux"
  sku_name             = "P1v3"
  resource_group_name  = azurerm_resource_group.apps.name
  location             = azurerm_resource_group.apps.location
  storage_account_name = azurerm_storage_account.shared.name
  app_settings = {
    PYTHON_THREADPOOL_THREAD_COUNT = "4"
  }
}

module "billing" {
  source               = "./modules/function-app"
  name                 = "billing"
  hosting              = "windows"
  resource_group_name  = azurerm_resource_group.apps.name
  location             = azurerm_resource_group.apps.location
  storage_account_name = azurerm_storage_account.shared.name
}

module "events" {
  source               = "./modules/function-app"
  name                 = "events"
  hosting              = "flex"
  resource_group_name  = azurerm_resource_group.apps.name
  location             = azurerm_resource_group.apps.location
  storage_account_name = azurerm_storage_account.shared.name
  blob_endpoint        = azurerm_storage_account.shared.primary_blob_endpoint
  app_settings = {
    PYTHON_THREADPOOL_THREAD_COUNT = "4"
  }
}

module "reports" {
  source   = "./modules/function-app"
  for_each = var.regions

  name                 = "reports-${each.key}"
  hosting              = "linux"
  sku_name             = "EP1"
  resource_group_name  = azurerm_resource_group.apps.name
  location             = each.value
  storage_account_name = azurerm_storage_account.shared.name
  app_settings = {
    FUNCTIONS_WORKER_PROCESS_COUNT = "2"
    PYTHON_THREADPOOL_THREAD_COUNT = "4"
  }
}
