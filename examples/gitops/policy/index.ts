// First: it wraps the server @pulumi/policy starts, so the stack config reaches the policies.
import "./stack-config";
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

/**
 * The policy pack `databricks-integrations`: run it with
 * `pulumi preview --policy-pack examples/gitops/policy` (see README.md). The analyzer starts this
 * module (package.json `main`, the compiled file) in this folder; PolicyPack reads the pack's
 * version from ./package.json and serves the policies to the engine.
 */
new PolicyPack("databricks-integrations", { policies });
