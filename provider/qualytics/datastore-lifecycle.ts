import { z } from "zod";
import { ServiceError } from "../core/errors";
import { RESEND_AFTER_LOST_ANSWER, mayHaveActed, partialFailure, retryStep } from "../core/recovery";
import { definedProvider, liveInputs } from "../core/dynamic";
import { sameValue, type InputField, type OutputField, type ResourceFields, type SameValue } from "../core/fields";
import { checkWithSchema, secretTokenSchema } from "../core/check";
import { httpPathSchema } from "../databricks/http-path";
import { serverHostnameSchema } from "../databricks/host";
import { QualyticsClient, connectionIdOf, isEnrichmentOnly, type Datastore, type DatastorePayload } from "./client";
import { parseQualyticsUrl, qualyticsCredentials, qualyticsInstanceOf } from "./credentials";
import { isDefaultSetting } from "./enrichment-settings";

/**
 * The lifecycle shared by Qualytics' Databricks datastores (source and enrichment): they are
 * one API object (`/datastores`) told apart by `enrichment_only`. Each resource file supplies
 * its schema and the few fields only it has.
 */

const qualyticsUrlSchema = z
  .string({ error: "required: set the `qualyticsUrl` input, or `pulumi config set qualytics:url https://<instance>.qualytics.io/api`, or QUALYTICS_URL" })
  .superRefine((raw, ctx) => {
    const parsed = parseQualyticsUrl(raw);
    if ("error" in parsed) ctx.addIssue({ code: "custom", message: parsed.error });
  });

/** A Unity Catalog name; `catalog.schema` pasted into one field is split into the two inputs. */
const unityName = (field: "catalog" | "database") =>
  z
    .string({ error: "must be a string" })
    .min(1, "must not be empty; omit it instead")
    .superRefine((value, ctx) => {
      const parts = value.split(".");
      if (parts.length === 2 && parts.every((p) => p !== "")) {
        ctx.addIssue({ code: "custom", message: `is "catalog.schema"; set catalog: "${parts[0]}" and database: "${parts[1]}"` });
      } else if (parts.length > 1) {
        ctx.addIssue({
          code: "custom",
          message: `must be one name without dots: ${field === "catalog" ? "the catalog alone" : "the schema alone (its catalog goes in `catalog`)"}`,
        });
      }
    });

/** A list of names; a single string (not in a list) is the common slip. */
const nameList = (what: string, example: string) =>
  z.array(z.string({ error: "must be a string" }).min(1, "must not be empty"), { error: `must be a list of ${what}, e.g. ${example}` });

/** The inputs every Databricks datastore has: the guide's form fields plus Qualytics metadata. */
export const datastoreBaseShape = {
  /** Qualytics instance; defaults to `qualytics:url` config or `QUALYTICS_URL`. Changing it replaces the datastore. */
  qualyticsUrl: qualyticsUrlSchema,
  /** Token for this resource's Qualytics calls instead of `qualytics:token`. Secret. */
  qualyticsToken: secretTokenSchema("a Qualytics API token (or omit it to use `qualytics:token` / QUALYTICS_TOKEN)").optional(),
  /** Datastore name (unique in the instance). */
  name: z.string({ error: "required: the datastore's name" }).min(1, "must not be empty").max(255, "must be at most 255 characters"),
  /** "Server Hostname": the workspace host. */
  serverHostname: serverHostnameSchema,
  /** "Http Path" of a SQL warehouse or cluster. */
  httpPath: httpPathSchema,
  /** "Catalog" (Unity Catalog); omitted, Qualytics uses the connection's default. */
  catalog: unityName("catalog").optional(),
  /** "Database": the schema inside the catalog. Needs `catalog`. */
  database: unityName("database").optional(),
  /** "Personal Access Token" Qualytics connects with. Secret; never readable back. */
  personalAccessToken: secretTokenSchema("a Databricks personal access token (for example a DatabricksAccessToken's `value`)"),
  /** Teams that may see the datastore. */
  teams: nameList("team names", '["Public"]').default(["Public"]),
  /** Tags of the datastore. */
  tags: nameList("tags", '["sales", "pii"]').default([]),
  description: z.string({ error: "must be a string" }).optional(),
  /** Manage an existing datastore of the same name instead of failing (there is no `pulumi import` for these resources). */
  adopt: z.boolean({ error: "must be true or false" }).default(false),
};

export const refineCatalogDatabase = (v: { catalog?: string; database?: string }, ctx: z.RefinementCtx) => {
  if (v.database !== undefined && v.catalog === undefined) {
    ctx.addIssue({ code: "custom", path: ["database"], message: "needs `catalog`: a database (schema) lives inside a catalog" });
  }
};

/** Inputs common to both kinds, as validated. */
export interface DatastoreBaseInputs {
  qualyticsUrl: string;
  qualyticsToken?: string;
  name: string;
  serverHostname: string;
  httpPath: string;
  catalog?: string;
  database?: string;
  personalAccessToken: string;
  teams: string[];
  tags: string[];
  description?: string;
  adopt: boolean;
}

/** What state keeps: inputs plus what the service assigned or reports. */
export interface DatastoreBaseOutputs extends DatastoreBaseInputs {
  datastoreId: number;
  /** Absent in states written against a control plane that answers `connection: {id}` only (0.1.0 read `connection_id`). */
  connectionId?: number;
  /** The live result of Qualytics' last connection test. */
  connected: boolean;
}

/**
 * Each common field once: only another Qualytics instance replaces a datastore; everything else,
 * the token included, updates in place. `adopt` only shapes a create.
 */
export const datastoreBaseInputFields = {
  qualyticsUrl: "replace",
  name: "update",
  serverHostname: "update",
  httpPath: "update",
  catalog: "update",
  database: "update",
  personalAccessToken: "secret update",
  teams: "update",
  tags: "update",
  description: "update",
  qualyticsToken: "secret update",
  adopt: "none",
} as const satisfies { readonly [K in keyof typeof datastoreBaseShape]: InputField };

/** The outputs both kinds have. */
export const datastoreBaseOutputFields = { datastoreId: "plain", connectionId: "plain", connected: "plain" } as const satisfies {
  readonly [K in Exclude<keyof DatastoreBaseOutputs, keyof DatastoreBaseInputs>]-?: OutputField;
};

/** How one kind of datastore differs from the other. */
export interface DatastoreKind<I extends DatastoreBaseInputs, O extends DatastoreBaseOutputs & I> {
  label: string;
  enrichmentOnly: boolean;
  /** The resource's input schema. */
  schema: z.ZodType;
  /** The resource's field table (the common fields and its own). */
  fields: ResourceFields<keyof I & string, string>;
  /** Fields of the payload only this kind sets. */
  payloadExtras(inputs: I): Partial<DatastorePayload>;
  /** Fields only this kind reads back from the live datastore. */
  liveExtras(live: Datastore): Partial<O>;
  /** Inputs Qualytics fills in when omitted: compared only when the input sets them. */
  serverDefaulted?: (keyof I & string)[];
  /** After create/update: bring links etc. in line with the inputs; returns extra outputs. */
  afterWrite?(client: QualyticsClient, live: Datastore, inputs: I): Promise<Partial<O>>;
  /** Turns a delete failure into advice, if this kind has something to say. */
  deleteError?(err: ServiceError, olds: O): Error | undefined;
}

const CONNECTION_KEYS = ["serverHostname", "httpPath", "personalAccessToken", "catalog", "database"] as const;

const clientFor = (s: { qualyticsUrl: string; qualyticsToken?: string }) =>
  new QualyticsClient(qualyticsCredentials({ ...qualyticsInstanceOf(s.qualyticsUrl), token: s.qualyticsToken }));

const names = (list: (string | { name: string })[] | undefined) => (list ?? []).map((t) => (typeof t === "string" ? t : t.name));

function payloadFor<I extends DatastoreBaseInputs>(kind: DatastoreKind<I, never>, inputs: I, extra: Partial<DatastorePayload> = {}): DatastorePayload {
  return {
    name: inputs.name,
    teams: inputs.teams,
    tags: inputs.tags,
    description: inputs.description ?? null,
    database: inputs.catalog ?? null,
    schema: inputs.database ?? null,
    enrichment_only: kind.enrichmentOnly,
    connection: {
      name: `${inputs.name}_connection`,
      type: "databricks",
      host: inputs.serverHostname,
      port: 443,
      password: inputs.personalAccessToken,
      parameters: { path: inputs.httpPath },
    },
    ...kind.payloadExtras(inputs),
    ...extra,
  };
}

/** The live datastore as output fields (everything but what cannot be read back). */
function liveCommon(live: Datastore): Partial<DatastoreBaseOutputs> {
  return {
    datastoreId: live.id,
    connectionId: connectionIdOf(live),
    connected: live.connected === true,
    name: live.name,
    serverHostname: live.host,
    httpPath: live.parameters?.path ?? "",
    catalog: live.database ?? undefined,
    database: live.schema ?? undefined,
    teams: names(live.teams),
    tags: names(live.global_tags),
    description: live.description ?? undefined,
  };
}

/**
 * The id a datastore is recorded under when its create was sent but never answered (every
 * attempt timed out or lost its connection): the name, which Qualytics keeps unique. The next
 * `up` (or refresh) finds the datastore by that name if the create landed, or creates it, so a
 * create that lands after the deployment gave up is neither lost nor duplicated.
 */
const PROVISIONAL = "name:";
const isProvisional = (id: string) => id.startsWith(PROVISIONAL);

/** The live datastore behind a record: by id, or (provisional records) by name. */
async function liveDatastore(
  client: QualyticsClient,
  id: string,
  props: { name: string; datastoreId?: number },
  enrichmentOnly: boolean,
): Promise<Datastore | undefined> {
  if (!isProvisional(id)) return client.getDatastore(Number(id));
  if (props.datastoreId) return client.getDatastore(props.datastoreId);
  return (await client.findDatastoresByName(id.slice(PROVISIONAL.length), enrichmentOnly))[0];
}

/**
 * How Qualytics words a connection test that failed because Databricks was briefly unavailable
 * (`'<host>' answered HTTP 503`, `could not reach '<host>' (timed out)`): worth testing again,
 * unlike a bad token or a missing warehouse.
 */
const isPassingFailure = (reason: string | undefined) =>
  reason !== undefined && /answered HTTP (429|5\d\d)|could not reach|timed out|temporarily|try again|rate limit/i.test(reason);

/** Repeats `call` (with the HTTP layer's backoff, at most 4 times) while its answer is a passing failure. */
const untilSettled = <T>(call: () => Promise<T>, passing: (answer: T) => boolean): Promise<T> =>
  retryStep(call, { retryAnswer: passing, attempts: { atMost: 4 } });

/**
 * POST /datastores, made safe to repeat. There is no idempotency key, but names are unique: when
 * an answer is lost, the datastore is looked up by name (the name was free when this began, so
 * one found now is ours) and otherwise created again, which a landed first attempt answers with
 * 409. When every attempt is lost, the resource is recorded provisionally under its name
 * (partial failure) so the next `up` resolves it instead of creating a twin.
 */
async function createOnce(client: QualyticsClient, payload: DatastorePayload, inputs: DatastoreBaseInputs): Promise<Datastore> {
  // After an attempt that may have landed, the next one is refused as a conflict: the lookup tells.
  const worthAnother = (err: unknown, attempt: number) => mayHaveActed(err) || (attempt > 1 && err instanceof ServiceError && err.status === 409);
  return retryStep(() => client.createDatastore(payload), {
    ...RESEND_AFTER_LOST_ANSWER,
    retryOn: worthAnother,
    afterFailure: async (err, attempt) => {
      if (!worthAnother(err, attempt)) return undefined;
      const made = (await client.findDatastoresByName(inputs.name, payload.enrichment_only))[0];
      return made ? { value: made } : undefined;
    },
    onGiveUp: async (err) => {
      throw partialFailure(err, `${PROVISIONAL}${inputs.name}`, { ...inputs });
    },
  });
}

/** Builds the dynamic provider of one kind of Databricks datastore. */
export function datastoreProvider<I extends DatastoreBaseInputs, O extends DatastoreBaseOutputs & I>(kind: DatastoreKind<I, O>) {
  // Qualytics fills these in when omitted: an omitted one is no change, whatever it holds.
  const quietWhenOmitted: SameValue = (old, news) => news === undefined || sameValue(old, news);
  const sameServerDefaulted = Object.fromEntries((kind.serverDefaulted ?? []).map((k) => [k, quietWhenOmitted])) as { [K in keyof I & string]?: SameValue };

  /**
   * Outputs after a write. `connected` is the create/PUT answer's unless `retest`: then (a new
   * connection, or a create whose unsaved test was missing) the saved datastore is tested.
   */
  const outputsOf = async (client: QualyticsClient, live: Datastore, inputs: I, retest: boolean): Promise<O> => {
    const extras = kind.afterWrite ? await kind.afterWrite(client, live, inputs) : {};
    let connected = live.connected === true;
    if (retest) {
      const test = await untilSettled(
        () => client.testDatastoreConnection(live.id),
        (t) => !t.connected && isPassingFailure(t.message),
      );
      connected = test.connected;
    }
    return { ...inputs, ...liveCommon(live), ...kind.liveExtras(live), ...extras, connected, personalAccessToken: inputs.personalAccessToken } as unknown as O;
  };

  const failIfConnectionFails = async (client: QualyticsClient, payload: DatastorePayload, name: string): Promise<"tested" | "missing"> => {
    const reason = await untilSettled(
      () => client.testUnsavedConnection(payload),
      (r) => r !== "missing" && isPassingFailure(r),
    );
    if (reason === "missing") return "missing";
    if (reason) throw new Error(`Qualytics could not connect ${kind.label} "${name}" to Databricks: ${reason}. Nothing was created or changed.`);
    return "tested";
  };

  /** The live datastore's connection id: from the answer, else from state; never undefined in a URL. */
  const connectionOf = (live: Datastore, olds?: { connectionId?: number }): number => {
    const id = connectionIdOf(live) ?? olds?.connectionId;
    if (id === undefined)
      throw new Error(`Qualytics answered datastore ${live.id} ("${live.name}") without its connection (neither connection_id nor connection.id)`);
    return id;
  };

  /** Writes the inputs onto an existing datastore (update, and adoption). */
  const writeOnto = async (client: QualyticsClient, live: Datastore, inputs: I, connectionChanged: boolean, olds?: { connectionId?: number }): Promise<O> => {
    const connectionId = connectionOf(live, olds);
    if (connectionChanged) {
      const { connection } = payloadFor(kind as DatastoreKind<I, never>, inputs);
      await client.updateConnection(connectionId, connection!);
    }
    const { connection: _inline, ...fields } = payloadFor(kind as DatastoreKind<I, never>, inputs);
    const updated = await client.updateDatastore(live.id, { ...fields, connection_id: connectionId });
    return outputsOf(client, updated, inputs, connectionChanged);
  };

  /**
   * Qualytics keeps a datastore's connection when the datastore is deleted (by a person, or by
   * a destroy that was interrupted), and its name then blocks a new inline connection. That
   * connection is reused only when it is known to be this resource's (it carries the name this
   * resource gives its connection, `<name>_connection`, and the datastore name was free) and a
   * GET of it shows it serves no datastore: the list's `datastores` field is optional, so the
   * list alone proves nothing. (A create has no state to know an id from.)
   */
  const reusableConnection = async (client: QualyticsClient, name: string): Promise<number | { refusal: string }> => {
    const candidate = (await client.findConnectionsByName(name))[0];
    if (!candidate) return { refusal: `Qualytics refused the connection name "${name}" but lists no connection of that name` };
    const live = await client.getConnection(candidate.id);
    if (!live) return { refusal: `the Qualytics connection "${name}" (id ${candidate.id}) disappeared while being checked; run \`pulumi up\` again` };
    if (!Array.isArray(live.datastores)) {
      return {
        refusal: `the Qualytics connection "${name}" (id ${live.id}) already exists and Qualytics does not say whether datastores use it; delete it in Qualytics if it is a leftover, or rename this datastore`,
      };
    }
    if (live.datastores.length > 0) {
      return {
        refusal: `the Qualytics connection "${name}" (id ${live.id}) already serves datastore(s) ${live.datastores.map((d) => `"${d.name}"`).join(", ")}; rename this datastore or that connection`,
      };
    }
    return live.id;
  };

  /** After a create whose unsaved test was missing: a failed saved test undoes the create. */
  const undoIfNotConnected = async (client: QualyticsClient, created: Datastore, name: string, reusedConnection: boolean) => {
    const test = await untilSettled(
      () => client.testDatastoreConnection(created.id),
      (t) => !t.connected && isPassingFailure(t.message),
    );
    if (test.connected) return;
    await client.deleteDatastore(created.id);
    const connectionId = connectionIdOf(created);
    if (!reusedConnection && connectionId !== undefined) await client.deleteConnectionIfUnused(connectionId);
    throw new Error(
      `Qualytics could not connect ${kind.label} "${name}" to Databricks: ${test.message ?? "the connection test failed"}. Nothing was kept: the datastore was created to test it (this instance has no unsaved-connection test) and deleted again.`,
    );
  };

  return definedProvider({
    async check(_olds, news) {
      return checkWithSchema(kind.schema, news, kind.fields.secretInputs);
    },

    async diff(id, olds: O, news: I) {
      const { replaces, changes } = kind.fields.diff(olds, news, sameServerDefaulted);
      // Beyond the inputs: a provisional record always needs the `up` that resolves it.
      return { changes: changes || isProvisional(id), replaces, deleteBeforeReplace: false };
    },

    async create(inputs: I) {
      const client = clientFor(inputs);
      const payload = payloadFor(kind as DatastoreKind<I, never>, inputs);
      const tested = await failIfConnectionFails(client, payload, inputs.name);

      const alreadyThere = (existing: Datastore) =>
        new Error(
          `a Qualytics datastore named "${inputs.name}" already exists (id ${existing.id}). If an interrupted deployment created it, or to manage it with this resource, set \`adopt: true\` (an \`up\` then takes it over and writes these settings onto it); otherwise choose another name.`,
        );
      const adopt = async (existing: Datastore) => {
        if (!inputs.adopt) throw alreadyThere(existing);
        if (isEnrichmentOnly(existing) !== kind.enrichmentOnly) {
          throw new Error(
            `the existing datastore "${inputs.name}" (id ${existing.id}) is ${isEnrichmentOnly(existing) ? "an enrichment" : "a source"} datastore; it cannot be adopted as ${kind.label}.`,
          );
        }
        const outs = await writeOnto(client, existing, inputs, true);
        return { id: String(existing.id), outs };
      };

      const existing = (await client.findDatastoresByName(inputs.name, kind.enrichmentOnly))[0];
      if (existing) return adopt(existing);

      let created: Datastore;
      let reusedConnection = false;
      try {
        created = await createOnce(client, payload, inputs);
      } catch (err) {
        // Without the unsaved test, a create that tests and refuses (400) is the test's verdict.
        if (tested === "missing" && err instanceof ServiceError && err.status === 400) {
          throw new Error(`Qualytics could not connect ${kind.label} "${inputs.name}" to Databricks: ${err.explanation}. Nothing was created or changed.`);
        }
        if (!(err instanceof ServiceError) || err.status !== 409) throw err;
        // A name of the other kind, or a leftover connection of this name.
        const other = (await client.findDatastoresByName(inputs.name, !kind.enrichmentOnly))[0];
        if (other) return adopt(other);
        const reuse = await reusableConnection(client, payload.connection!.name);
        if (typeof reuse !== "number") throw new Error(`cannot create ${kind.label} "${inputs.name}": ${reuse.refusal}.`);
        await client.updateConnection(reuse, payload.connection!);
        const { connection: _inline, ...fields } = payload;
        created = await createOnce(client, { ...fields, connection_id: reuse }, inputs);
        reusedConnection = true;
      }
      if (tested === "missing") await undoIfNotConnected(client, created, inputs.name, reusedConnection);
      try {
        const outs = await outputsOf(client, created, inputs, false);
        return { id: String(created.id), outs: tested === "missing" ? { ...outs, connected: true } : outs };
      } catch (err) {
        // The datastore exists: record it (partial failure) so the next `up` finishes the job.
        throw partialFailure(err, String(created.id), { ...inputs, ...liveCommon(created), ...kind.liveExtras(created) });
      }
    },

    async read(id: string, props: O) {
      const live = await liveDatastore(clientFor(props), id, props, kind.enrichmentOnly);
      // Deleted out of band: the resource leaves the state; the next `up` creates it again.
      if (!live) return { id: undefined, props: {} };
      const refreshed = { ...props, ...liveCommon(live), ...kind.liveExtras(live) };
      // The live values as inputs too: the engine's own diff then names each field edited out of band.
      const inputs = liveInputs(kind.fields.inputKeys, refreshed);
      // Settings Qualytics fills in when omitted, at that value: not something a program declared.
      for (const key of kind.serverDefaulted ?? []) if (isDefaultSetting(key, inputs[key], refreshed.name)) delete inputs[key];
      return { id, props: refreshed, inputs };
    },

    async update(id: string, olds: O, news: I) {
      const client = clientFor(news);
      const connectionChanged = CONNECTION_KEYS.some((k) => !sameValue(olds[k], news[k])) || olds.name !== news.name;
      if (connectionChanged) await failIfConnectionFails(client, payloadFor(kind as DatastoreKind<I, never>, news), news.name);
      const live = await liveDatastore(client, id, olds, kind.enrichmentOnly);
      if (!live && isProvisional(id)) {
        // The create that recorded this resource never learned whether it worked; it did not.
        const created = await createOnce(client, payloadFor(kind as DatastoreKind<I, never>, news), news);
        return { outs: await outputsOf(client, created, news, false) };
      }
      if (!live)
        throw new Error(`the Qualytics datastore ${id} ("${olds.name}") no longer exists; run \`pulumi refresh\` and then \`pulumi up\` to create it again.`);
      // A provisional record has never written the connection: write everything.
      const outs = await writeOnto(client, live, news, connectionChanged || isProvisional(id), olds);
      return { outs };
    },

    async delete(id: string, olds: O) {
      const client = clientFor(olds);
      const live = isProvisional(id) || olds.connectionId === undefined ? await liveDatastore(client, id, olds, kind.enrichmentOnly) : undefined;
      const datastoreId = isProvisional(id) ? live?.id : Number(id);
      // A provisional record whose create never landed: nothing to delete.
      if (datastoreId === undefined) return;
      try {
        await client.deleteDatastore(datastoreId);
      } catch (err) {
        const advice = err instanceof ServiceError ? kind.deleteError?.(err, olds) : undefined;
        throw advice ?? err;
      }
      // The connection was made for this datastore; it goes too unless something else uses it.
      // A state without its id (written when only `connection_id` was read) learns it from the GET above.
      const connectionId = olds.connectionId ?? (live ? connectionIdOf(live) : undefined);
      if (connectionId !== undefined) await client.deleteConnectionIfUnused(connectionId);
    },
  });
}
