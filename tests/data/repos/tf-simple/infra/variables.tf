variable "project" {
  description = "Short project name used in every resource name."
  type        = string
  default     = "orders"
}

variable "environment" {
  type    = string
  default = "prod"
}

variable "location" {
  type    = string
  default = "westeurope"
}

variable "python_version" {
  type    = string
  default = "3.11"
}

variable "tags" {
  type    = map(string)
  default = {}
}
