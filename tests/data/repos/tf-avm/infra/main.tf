# Function apps deployed through modules `terraform init` has not fetched: the
# web-site Azure Verified Module (mapped from its documented inputs) and a company
# module from git (judged from the function-app settings it is passed).
terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.20"
    }
  }
}

provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "rg" {
  name     = "rg-invoicing"
  location = "northeurope"
}

resource "azurerm_service_plan" "premium" {
  name                = "asp-invoicing-ep1"
  resource_group_name = azurerm_resource_group.rg.name
  location            = azurerm_resource_group.rg.location
  os_type             = "Linux"
  sku_name            = "EP1"
}

resource "azurerm_service_plan" "flex" {
  name                = "asp-invoicing-flex"
  resource_group_name = azurerm_resource_group.rg.name
  location            = azurerm_resource_group.rg.location
  os_type             = "Linux"
  sku_name            = "FC1"
}

resource "azurerm_storage_account" "jobs" {
  name                     = "stinvoicingjobs"
  resource_group_name      = azurerm_resource_group.rg.name
  location                 = azurerm_resource_group.rg.location
  account_tier             = "Standard"
  account_replication_type = "LRS"

  allow_nested_items_to_be_public = false
}

module "invoice_api" {
  source  = "Azure/avm-res-web-site/azurerm"
  version = "~> 0.16.0"

  kind                     = "functionapp"
  os_type                  = azurerm_service_plan.premium.os_type
  name                     = "func-invoice-api"
  resource_group_name      = azurerm_resource_group.rg.name
  location                 = azurerm_resource_group.rg.location
  service_plan_resource_id = azurerm_service_plan.premium.id
  https_only               = true

  storage_account_name          = azurerm_storage_account.jobs.name
  storage_uses_managed_identity = true

  managed_identities = {
    system_assigned = true
  }

  app_settings = {
    FUNCTIONS_WORKER_PROCESS_COUNT = "2"
    PYTHON_THREADPOOL_THREAD_COUNT = "4"
  }

  site_config = {
    always_on                = false
    elastic_instance_minimum = 1
    application_stack = {
      python = {
        python_version = "3.11"
      }
    }
  }
}

module "invoice_events" {
  source  = "registry.terraform.io/Azure/avm-res-web-site/azurerm"
  version = ">= 0.19.3, < 0.20.0"

  kind                        = "functionapp"
  os_type                     = "Linux"
  name                        = "func-invoice-events"
  resource_group_name         = azurerm_resource_group.rg.name
  location                    = azurerm_resource_group.rg.location
  service_plan_resource_id    = azurerm_service_plan.flex.id
  function_app_uses_fc1       = true
  fc1_runtime_name            = "python"
  fc1_runtime_version         = "3.12"
  instance_memory_in_mb       = 2048
  maximum_instance_count      = 40
  storage_authentication_type = "SystemAssignedIdentity"
  storage_container_type      = "blobContainer"
  storage_container_endpoint  = "${azurerm_storage_account.jobs.primary_blob_endpoint}deployments"

  app_settings = {
    PYTHON_THREADPOOL_THREAD_COUNT = "8"
  }
}

module "invoice_portal" {
  source  = "Azure/avm-res-web-site/azurerm"
  version = "0.17.2"

  kind                     = "webapp"
  os_type                  = "Linux"
  name                     = "app-invoice-portal"
  resource_group_name      = azurerm_resource_group.rg.name
  location                 = azurerm_resource_group.rg.location
  service_plan_resource_id = azurerm_service_plan.premium.id
}

module "reminders" {
  source = "git::https://dev.azure.com/contoso/platform/_git/tf-function-app?ref=v3.1.0"

  name       = "func-invoice-reminders"
  plan_id    = azurerm_service_plan.premium.id
  python     = { python_version = "3.12" }

  app_settings = {
    FUNCTIONS_WORKER_RUNTIME       = "python"
    FUNCTIONS_WORKER_PROCESS_COUNT = "12"
  }
}

module "network" {
  source = "git::https://dev.azure.com/contoso/platform/_git/tf-network?ref=v1.0.0"

  address_space = ["10.50.0.0/16"]
}
