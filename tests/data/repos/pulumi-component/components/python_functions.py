"""A Linux Python function app on its own Elastic Premium plan."""

import pulumi
import pulumi_azure_native as azure_native
from pulumi_azure_native import web

RESOURCE_GROUP = "rg-payments"


class PythonFunctions(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        location: str,
        plan_sku: str,
        python_version: str,
        worker_processes: str = "1",
        threads: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("payments:apps:PythonFunctions", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        plan = web.AppServicePlan(
            f"{name}-plan",
            name=f"plan-{name}",
            resource_group_name=RESOURCE_GROUP,
            location=location,
            kind="elastic",
            reserved=True,
            sku=web.SkuDescriptionArgs(name=plan_sku, tier="ElasticPremium"),
            opts=child,
        )

        settings = [
            web.NameValuePairArgs(name="FUNCTIONS_EXTENSION_VERSION", value="~4"),
            web.NameValuePairArgs(name="FUNCTIONS_WORKER_RUNTIME", value="python"),
            web.NameValuePairArgs(
                name="FUNCTIONS_WORKER_PROCESS_COUNT", value=worker_processes
            ),
        ]
        if threads is not None:
            settings.append(
                web.NameValuePairArgs(
                    name="PYTHON_THREADPOOL_THREAD_COUNT", value=threads
                )
            )

        app = web.WebApp(
            f"{name}-app",
            name=f"func-{name}",
            resource_group_name=RESOURCE_GROUP,
            location=location,
            kind="functionapp,linux",
            server_farm_id=plan.id,
            https_only=True,
            identity=web.ManagedServiceIdentityArgs(type="SystemAssigned"),
            site_config=web.SiteConfigArgs(
                linux_fx_version=f"Python|{python_version}",
                min_tls_version="1.2",
                ftps_state="Disabled",
                app_settings=settings,
            ),
            opts=child,
        )

        azure_native.web.WebAppFtpAllowed(
            f"{name}-ftp",
            name=app.name,
            resource_group_name=RESOURCE_GROUP,
            allow=False,
            opts=child,
        )
        web.WebAppScmAllowed(
            f"{name}-scm",
            name=app.name,
            resource_group_name=RESOURCE_GROUP,
            allow=False,
            opts=child,
        )

        self.host = app.default_host_name
        self.register_outputs({"host": self.host})
