import { z } from "zod";
import { parseHopsworksHost } from "./credentials";

/** Input fields shared by the Hopsworks resources. */

export const projectSchema = z
  .string({ error: (i) => (i.input === undefined ? "required: set the `project` input, or `pulumi config set hopsworks:project <name>`, or HOPSWORKS_PROJECT" : "must be a string") })
  .min(1, "must not be empty")
  .regex(/^[A-Za-z0-9_]+$/, "must be a Hopsworks project name: letters, digits and underscores only (as shown in the project list)");

export const hopsworksHostSchema = z
  .string({ error: (i) => (i.input === undefined ? "required: set the `hopsworksHost` input, or `pulumi config set hopsworks:host <host>`, or HOPSWORKS_HOST" : "must be a string") })
  .transform((raw, ctx) => {
    const parsed = parseHopsworksHost(raw);
    if ("error" in parsed) {
      ctx.addIssue({ code: "custom", message: parsed.error });
      return z.NEVER;
    }
    return parsed.host;
  });

export const hopsworksPortSchema = z.number({ error: "must be a port number" }).int("must be a whole number").min(1).max(65535, "must be at most 65535").optional();

/** A secret credential: whitespace around it is almost always a pasted newline. */
export const secretStringSchema = (what: string) =>
  z
    .string({ error: (i) => (i.input === undefined ? `required: the ${what}` : "must be a string") })
    .min(1, "must not be empty")
    .refine((v) => v.trim() === v, "has leading or trailing whitespace (often a pasted newline); remove it")
    .refine((v) => !/\s/.test(v), "contains whitespace; a token never does: check what was pasted");
