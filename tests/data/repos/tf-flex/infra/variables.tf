variable "app_name" {
  type    = string
  default = "telemetry-ingest"
}

variable "location" {
  type    = string
  default = "swedencentral"
}

variable "python_version" {
  type    = string
  default = "3.12"
}

variable "instance_memory_in_mb" {
  type    = number
  default = 2048
}
