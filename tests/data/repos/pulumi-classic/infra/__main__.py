import pulumi_azure as azure

SKU = "B1"
settings = {
    "PYTHON_THREADPOOL_THREAD_COUNT": "4",
    "FUNCTIONS_WORKER_PROCESS_COUNT": "16",
}

rg = azure.core.ResourceGroup("reports", location="northeurope")
account = azure.storage.Account(
    "reportsdata",
    name="reportsdata",
    resource_group_name=rg.name,
    location=rg.location,
    account_tier="Standard",
    account_replication_type="LRS",
)
plan = azure.appservice.ServicePlan(
    "reports-plan",
    name="reports-plan",
    resource_group_name=rg.name,
    location=rg.location,
    os_type="Linux",
    sku_name=SKU,
)
func = azure.appservice.LinuxFunctionApp(
    "reports",
    name="reports-func",
    resource_group_name=rg.name,
    location=rg.location,
    service_plan_id=plan.id,
    storage_account_name=account.name,
    storage_account_access_key=account.primary_access_key,
    https_only=True,
    app_settings=settings,
    site_config=azure.appservice.LinuxFunctionAppSiteConfigArgs(
        always_on=True,
        application_stack=azure.appservice.LinuxFunctionAppSiteConfigApplicationStackArgs(
            python_version="3.11",
        ),
    ),
)
