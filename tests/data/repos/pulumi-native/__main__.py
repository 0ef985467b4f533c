"""Orders processing: a storage account, an Elastic Premium plan and a function app."""

import pulumi
import pulumi_azure_native as azure_native
from pulumi_azure_native import web

config = pulumi.Config()
prefix = "orders"
location = "westeurope"
app_name = f"{prefix}-func"

group = azure_native.resources.ResourceGroup("rg", location=location)

plan = web.AppServicePlan(
    "plan",
    name=f"{prefix}-plan",
    resource_group_name=group.name,
    kind="elastic",
    reserved=True,
    sku=web.SkuDescriptionArgs(name="EP1", tier="ElasticPremium"),
)

app = web.WebApp(
    "func",
    name=app_name,
    resource_group_name=group.name,
    kind="functionapp,linux",
    server_farm_id=plan.id,
    https_only=True,
    identity=web.ManagedServiceIdentityArgs(type="SystemAssigned"),
    site_config=web.SiteConfigArgs(
        linux_fx_version="Python|3.11",
        min_tls_version="1.2",
        ftps_state="Disabled",
        app_settings=[
            web.NameValuePairArgs(name="FUNCTIONS_EXTENSION_VERSION", value="~4"),
            web.NameValuePairArgs(name="FUNCTIONS_WORKER_RUNTIME", value="python"),
            web.NameValuePairArgs(name="FUNCTIONS_WORKER_PROCESS_COUNT", value="12"),
            {"name": "AzureWebJobsStorage__accountName", "value": config.require("sa")},
        ],
    ),
)

pulumi.export("endpoint", app.default_host_name)
