# A root whose registry module `terraform init` has fetched into .terraform/modules.
module "api" {
  source  = "contoso/function-app/azurerm"
  version = "1.4.0"

  name     = "pricing-api"
  sku_name = "S1"
}
