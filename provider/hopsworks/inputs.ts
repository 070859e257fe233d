import { z } from "zod";
import { numberAsStringAdvice, secretTokenSchema } from "../core/check";
import { parseHopsworksHost } from "./credentials";

/** Input fields shared by the Hopsworks resources. */

export const projectSchema = z
  .string({
    error: (i) =>
      i.input === undefined ? "required: set the `project` input, or `pulumi config set hopsworks:project <name>`, or HOPSWORKS_PROJECT" : "must be a string",
  })
  .min(1, "must not be empty")
  .regex(/^[A-Za-z0-9_]+$/, "must be a Hopsworks project name: letters, digits and underscores only (as shown in the project list)");

export const hopsworksHostSchema = z
  .string({
    error: (i) =>
      i.input === undefined ? "required: set the `hopsworksHost` input, or `pulumi config set hopsworks:host <host>`, or HOPSWORKS_HOST" : "must be a string",
  })
  .transform((raw, ctx) => {
    const insecure = /^http:\/\/([a-z0-9.-]+)/i.exec(raw.trim());
    if (insecure) {
      ctx.addIssue({ code: "custom", message: `uses http://, but Hopsworks is reached over HTTPS only: use "${insecure[1]!.toLowerCase()}"` });
      return z.NEVER;
    }
    const parsed = parseHopsworksHost(raw);
    if ("error" in parsed) {
      ctx.addIssue({ code: "custom", message: parsed.error });
      return z.NEVER;
    }
    // The resources keep the bare host and take the port from hopsworksPort: a port written here
    // would be dropped silently, and the calls would go to 443.
    if (parsed.port !== undefined && parsed.port !== 443) {
      ctx.addIssue({
        code: "custom",
        message: `includes port ${parsed.port}, which this input does not carry: use "${parsed.host}" and set hopsworksPort: ${parsed.port} (or \`pulumi config set hopsworks:port ${parsed.port}\`)`,
      });
      return z.NEVER;
    }
    return parsed.host;
  });

export const hopsworksPortSchema = z
  .number({
    error: (i) => `must be a port number (1–65535) such as 443${numberAsStringAdvice(i.input)}`,
  })
  .int("must be a whole number")
  .min(1, "must be at least 1")
  .max(65535, "must be at most 65535")
  .optional();

const CLUSTER_ID = /^\d{4}-\d{6}-[a-z0-9]{5,12}$/;

/** A Databricks cluster id; a pasted cluster URL is answered with the id inside it. */
export const clusterIdSchema = z
  .string({
    error: (i) =>
      i.input === undefined ? "required: the cluster id, as in the cluster's URL or Compute → cluster → Configuration → Tags (ClusterId)" : "must be a string",
  })
  .trim()
  .superRefine((value, ctx) => {
    if (CLUSTER_ID.test(value)) return;
    const inside = /(?:^|[^0-9])(\d{4}-\d{6}-[a-z0-9]{5,12})(?![a-z0-9])/.exec(value)?.[1];
    const message =
      inside && /[/?#]/.test(value)
        ? `is a URL or path; use only the cluster id in it: "${inside}"`
        : "must be a Databricks cluster id like 0923-164208-abcd1234 (not the cluster's name or URL): " +
          "copy it from the cluster's URL (…/compute/clusters/<cluster-id>) or Compute → the cluster → Configuration → Tags (ClusterId)";
    ctx.addIssue({ code: "custom", message });
  });

/** A secret credential: whitespace in or around it is almost always a paste accident. */
export const secretStringSchema = (what: string) => secretTokenSchema(`the ${what}`);
