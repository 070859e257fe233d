import * as pulumi from "@pulumi/pulumi";
import { DatabricksAccessToken } from "pulumi-databricks-integrations";

/**
 * The main example. For now it issues the Databricks access token that the integrations use;
 * it grows into the whole platform (Hopsworks registration, configured clusters, Qualytics
 * datastores) as those resources land.
 */
export = async () => {
  const config = new pulumi.Config("platform");
  const integrationToken = new DatabricksAccessToken("integrations", {
    comment: "pulumi: feature store and data quality integrations",
    lifetimeDays: config.getNumber("tokenLifetimeDays") ?? 90,
    rotateBeforeDays: config.getNumber("tokenRotateBeforeDays") ?? 14,
  });
  return {
    workspace: integrationToken.host,
    tokenId: integrationToken.tokenId,
    tokenExpiry: integrationToken.expiryTime,
    token: integrationToken.value,
  };
};
