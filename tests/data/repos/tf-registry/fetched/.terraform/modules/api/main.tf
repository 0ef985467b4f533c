variable "name" {
  type = string
}

variable "sku_name" {
  type = string
}

resource "azurerm_service_plan" "this" {
  name                = "asp-${var.name}"
  resource_group_name = "rg-${var.name}"
  location            = "westeurope"
  os_type             = "Linux"
  sku_name            = var.sku_name
}

resource "azurerm_linux_function_app" "this" {
  name                = "func-${var.name}"
  resource_group_name = "rg-${var.name}"
  location            = "westeurope"
  service_plan_id     = azurerm_service_plan.this.id
  https_only          = true

  site_config {
    always_on = true

    application_stack {
      python_version = "3.12"
    }
  }
}
