variable "name" {
  type = string
}

variable "hosting" {
  description = "linux, windows or flex: which kind of function app to create."
  type        = string
}

variable "sku_name" {
  type    = string
  default = "EP1"
}

variable "resource_group_name" {
  type = string
}

variable "location" {
  type = string
}

variable "storage_account_name" {
  type = string
}

variable "blob_endpoint" {
  type    = string
  default = null
}

variable "app_settings" {
  type    = map(string)
  default = {}
}
