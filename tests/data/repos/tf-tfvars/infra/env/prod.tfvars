plan_sku         = "EP2"
worker_processes = 2

tags = {
  environment = "prod"
}
