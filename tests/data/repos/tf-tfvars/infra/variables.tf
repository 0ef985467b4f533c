variable "project_name" {
  type = string
}

variable "location" {
  type    = string
  default = "eastus2"
}

variable "plan_sku" {
  type    = string
  default = "EP1"
}

variable "python_version" {
  type    = string
  default = "3.12"
}

variable "always_on" {
  type    = bool
  default = false
}

variable "worker_processes" {
  type    = number
  default = 1
}

variable "tags" {
  type    = map(string)
  default = {}
}
