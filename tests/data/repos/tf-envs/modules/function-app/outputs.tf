output "function_app_name" {
  value = azurerm_linux_function_app.app.name
}

output "principal_id" {
  value = azurerm_linux_function_app.app.identity[0].principal_id
}
