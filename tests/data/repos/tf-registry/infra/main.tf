terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.10"
    }
  }
}

provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "this" {
  name     = "rg-catalog"
  location = "francecentral"
}

# An Azure Verified Module from the registry: `terraform init` fetches it.
module "catalog_api" {
  source  = "Azure/avm-res-web-site/azurerm"
  version = "0.17.2"

  name                = "func-catalog"
  resource_group_name = azurerm_resource_group.this.name
  location            = azurerm_resource_group.this.location
  kind                = "functionapp"
  os_type             = "Linux"

  site_config = {
    application_stack = {
      python = {
        python_version = "3.11"
      }
    }
  }
}

module "network" {
  source = "git::https://github.com/contoso-platform/terraform-azurerm-network.git?ref=v2.3.0"

  resource_group_name = azurerm_resource_group.this.name
  address_space       = ["10.40.0.0/16"]
}
