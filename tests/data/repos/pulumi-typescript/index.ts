import * as web from "@pulumi/azure-native/web";

export const plan = new web.AppServicePlan("plan", {
    resourceGroupName: "events",
    sku: { name: "FC1", tier: "FlexConsumption" },
    reserved: true,
});
