plan_sku = "B1"

tags = {
  environment = "dev"
}
