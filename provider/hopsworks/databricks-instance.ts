import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { checkWithSchema } from "../core/check";
import { definedProvider, implementationPath, lazyProvider, liveInputs } from "../core/dynamic";
import { ConfigurationError, ServiceError } from "../core/errors";
import { fieldTable } from "../core/fields";
import { log } from "../core/log";
import { RESEND_AFTER_LOST_ANSWER, mayHaveActed, partialFailure, retryStep } from "../core/recovery";
import { workspaceHostSchema } from "../databricks/host";
import { HopsworksClient, HopsworksCode, hasCode, instanceSecretName } from "./client";
import { projectIdOf } from "./project";
import { defaultHopsworksHost, defaultHopsworksPort, defaultHopsworksProject } from "../core/program-defaults";
import { hopsworksCredentials } from "./credentials";
import { hopsworksHostSchema, hopsworksPortSchema, projectSchema, secretStringSchema } from "./inputs";

/** The inputs of a {@link HopsworksDatabricksInstance}, validated at check time. */
export const instanceInputsSchema = z.object({
  /** Hopsworks project the calls go through (registration itself is per user). */
  project: projectSchema,
  /** Hopsworks host; `hopsworks:host` by default. */
  hopsworksHost: hopsworksHostSchema,
  hopsworksPort: hopsworksPortSchema,
  /** The Databricks workspace host; a workspace URL is accepted and reduced to its host. */
  workspaceHost: workspaceHostSchema,
  /** The Databricks personal access token Hopsworks stores and uses for this workspace. Secret. */
  apiKey: secretStringSchema("Databricks personal access token Hopsworks will use (e.g. a DatabricksAccessToken's value)"),
});
export type InstanceInputs = z.infer<typeof instanceInputsSchema>;

/** How the stored key compares with ours, as of the last read. */
export type KeyStatus = "current" | "changed out of band" | "missing";

export interface InstanceOutputs extends InstanceInputs {
  projectId: number;
  /** The Hopsworks user the registration belongs to. */
  username: string;
  keyStatus: KeyStatus;
  /** True when create found this registration already there, holding our key. */
  adopted: boolean;
}

/** Each field once: a registration is keyed by the two hosts; the key rotates in place. */
export const instanceFields = fieldTable(instanceInputsSchema, {
  hopsworksHost: "replace",
  hopsworksPort: "replace",
  workspaceHost: "replace",
  project: "update",
  apiKey: "secret update",
}).withOutputs<InstanceOutputs>({ projectId: "plain", username: "plain", keyStatus: "plain", adopted: "plain" });

/** An omitted port is 443 (as `hopsworksCredentials` reads it), so omitting it and 443 are the same port. */
const samePort = (a: unknown, b: unknown) => (a ?? 443) === (b ?? 443);

const instanceId = (s: { hopsworksHost: string; username: string; workspaceHost: string }) => `${s.hopsworksHost}/${s.username}/${s.workspaceHost}`;

const clientFor = (s: { hopsworksHost: string; hopsworksPort?: number }) =>
  new HopsworksClient(hopsworksCredentials({ host: s.hopsworksHost, port: s.hopsworksPort }));

async function keyStatusOf(client: HopsworksClient, workspaceHost: string, apiKey: string): Promise<KeyStatus> {
  const stored = await client.secretValue(instanceSecretName(workspaceHost));
  if (stored === undefined) return "missing";
  return stored === apiKey ? "current" : "changed out of band";
}

async function register(client: HopsworksClient, inputs: InstanceInputs, projectId: number): Promise<boolean> {
  const outcome = await retryStep(
    async () => {
      try {
        await client.registerInstance(projectId, inputs.workspaceHost, inputs.apiKey);
        return "registered" as const;
      } catch (err) {
        // 409 is also 160049: the secret db_<host> exists without a registration (left behind by
        // an earlier one); registering cannot work until that secret is deleted.
        if (hasCode(err, HopsworksCode.SECRET_EXISTS)) {
          throw new ConfigurationError(
            `Hopsworks refuses to register ${inputs.workspaceHost}: the user already has a secret named ${instanceSecretName(inputs.workspaceHost)} but no registration of that workspace. ` +
              `Delete the secret ${instanceSecretName(inputs.workspaceHost)} in Hopsworks (Account settings → Secrets) and run \`pulumi up\` again`,
          );
        }
        if (hasCode(err, HopsworksCode.INSTANCE_EXISTS) || (err instanceof ServiceError && err.status === 409)) return "exists" as const;
        throw err;
      }
    },
    // An answer lost after Hopsworks may have stored it: registering again either works or
    // says it exists, and then the stored key tells whether it is ours (below).
    { ...RESEND_AFTER_LOST_ANSWER, retryOn: mayHaveActed },
  );
  if (outcome === "registered") return false;
  // Already registered for this user: ours only if it holds our key (a create whose answer was
  // lost, or the same registration made by hand). Someone else's key is not ours to replace.
  const status = await keyStatusOf(client, inputs.workspaceHost, inputs.apiKey);
  if (status === "current") return true;
  throw new ConfigurationError(
    `Databricks instance ${inputs.workspaceHost} is already registered in Hopsworks for this user with a different key. ` +
      `Registration is per user, so this stack would take it over: either remove it in Hopsworks (Account settings → Integrations → Databricks) and run again, ` +
      `or set apiKey to the key it holds`,
  );
}

export const provider = definedProvider({
  async check(_olds, news) {
    return checkWithSchema(instanceInputsSchema, news, instanceFields.secretInputs);
  },

  async diff(_id, olds: InstanceOutputs, news: InstanceInputs) {
    const { replaces, changes: inputsChanged } = instanceFields.diff(olds, news, { hopsworksPort: samePort });
    // Beyond the inputs: a key a refresh found changed or missing is put back by the next `up`.
    const changes = inputsChanged || olds.keyStatus !== "current";
    return { changes, replaces, deleteBeforeReplace: true };
  },

  async create(inputs: InstanceInputs) {
    const client = clientFor(inputs);
    const projectId = await projectIdOf(client, inputs.project);
    const { username } = await client.profile();
    const adopted = await register(client, inputs, projectId);
    if (adopted) log(`adopted existing registration of ${inputs.workspaceHost} (same key)`);
    const outs: InstanceOutputs = { ...inputs, projectId, username, keyStatus: "current", adopted };
    return { id: instanceId(outs), outs };
  },

  async read(id: string, props: InstanceOutputs) {
    const client = clientFor(props);
    const projectId = await projectIdOf(client, props.project);
    const registered = await client.registeredInstances(projectId);
    // Removed out of band: the resource leaves the state; the next `up` registers again.
    if (!registered.includes(props.workspaceHost)) return { id: undefined, props: {} };
    const refreshed = { ...props, projectId, keyStatus: await keyStatusOf(client, props.workspaceHost, props.apiKey) };
    const inputs = liveInputs(instanceFields.inputKeys, refreshed);
    // Hopsworks never returns the key it holds; when it is not this stack's, the inputs say so in
    // words (no key value), so the engine's diff shows `apiKey` as the input the next `up` repairs.
    if (refreshed.keyStatus !== "current") inputs.apiKey = `(the key Hopsworks holds: ${refreshed.keyStatus})`;
    return { id, props: refreshed, inputs };
  },

  async update(id: string, olds: InstanceOutputs, news: InstanceInputs) {
    const client = clientFor(news);
    const projectId = await projectIdOf(client, news.project);
    const outs: InstanceOutputs = { ...olds, ...news, projectId, adopted: olds.adopted };
    if (olds.apiKey === news.apiKey && olds.keyStatus === "current") return { outs };
    // Hopsworks has no update call: rotating the key is unregister then register. If the
    // register fails, the state records a missing key, so the next `up` registers again.
    await client.unregisterInstance(projectId, news.workspaceHost);
    try {
      await register(client, news, projectId);
    } catch (err) {
      throw partialFailure(err, id, { ...outs, keyStatus: "missing" });
    }
    return { outs: { ...outs, keyStatus: "current" as const } };
  },

  async delete(_id: string, props: InstanceOutputs) {
    const client = clientFor(props);
    let projectId = props.projectId;
    try {
      projectId = await projectIdOf(client, props.project);
    } catch {
      // The project may be gone; the stored id still routes the call (registration is per user).
    }
    await client.unregisterInstance(projectId, props.workspaceHost);
  },
});

/** Arguments of a {@link HopsworksDatabricksInstance}. */
export interface HopsworksDatabricksInstanceArgs {
  /** Databricks workspace host (`dbc-….cloud.databricks.com`, `adb-….azuredatabricks.net`, `….gcp.databricks.com`) or its URL. Changing it replaces the registration. */
  workspaceHost: pulumi.Input<string>;
  /** Databricks personal access token Hopsworks stores (as your private secret `db_<host>`) and uses to configure clusters. Stored encrypted. Changing it rotates the key in place. Hopsworks does not validate it at registration. */
  apiKey: pulumi.Input<string>;
  /** Hopsworks project the calls go through. Defaults to `hopsworks:project` config or `HOPSWORKS_PROJECT`. Registration is per user, so any project you belong to works. */
  project?: pulumi.Input<string>;
  /** Hopsworks host, e.g. `c.app.hopsworks.ai`. Defaults to `hopsworks:host` config or `HOPSWORKS_HOST`. */
  hopsworksHost?: pulumi.Input<string>;
  /** Hopsworks port; defaults to `hopsworks:port` config, else 443. */
  hopsworksPort?: pulumi.Input<number>;
}

/**
 * A Databricks workspace registered with Hopsworks for the calling Hopsworks user, as the
 * Integrations tab's "Databricks" form does it. The caller logs in with `hopsworks:email` and
 * `hopsworks:password` (the integration endpoints refuse API keys). An existing registration
 * of the same workspace is adopted only when it holds the same key. A refresh notices a
 * registration removed out of band (dropped; the next `up` registers again) and a key changed
 * out of band (`keyStatus`; the next `up` puts ours back).
 */
export class HopsworksDatabricksInstance extends pulumi.dynamic.Resource {
  /** The registered workspace host (bare host name). */
  declare readonly workspaceHost: pulumi.Output<string>;
  declare readonly project: pulumi.Output<string>;
  declare readonly projectId: pulumi.Output<number>;
  /** The Hopsworks user the registration belongs to. */
  declare readonly username: pulumi.Output<string>;
  /** `current`, or what a refresh found: `changed out of band`, `missing`. */
  declare readonly keyStatus: pulumi.Output<KeyStatus>;
  declare readonly adopted: pulumi.Output<boolean>;

  constructor(name: string, args: HopsworksDatabricksInstanceArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      instanceProvider,
      name,
      instanceFields.resourceInputs(args, {
        project: args.project ?? defaultHopsworksProject(),
        hopsworksHost: args.hopsworksHost ?? defaultHopsworksHost(),
        hopsworksPort: args.hopsworksPort ?? defaultHopsworksPort(),
      }),
      instanceFields.withSecretOutputs(opts),
      "databricks-integrations",
      "HopsworksDatabricksInstance",
    );
  }
}

const instanceProvider = lazyProvider(implementationPath("hopsworks/databricks-instance"));
