variable "name" {
  description = "Base name of the app; resources are named from it."
  type        = string
}

variable "resource_group_name" {
  type = string
}

variable "location" {
  type = string
}

variable "sku_name" {
  type = string
}

variable "python_version" {
  type    = string
  default = "3.12"
}

variable "ftps_state" {
  type    = string
  default = "Disabled"
}

variable "app_settings" {
  type    = map(string)
  default = {}
}

variable "tags" {
  type    = map(string)
  default = {}
}
