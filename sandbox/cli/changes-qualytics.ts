import type { ChangeContext, ChangeResult, NamedChange } from "./changes";
import { CliError, usageError } from "./errors";
import type { QualyticsConsole } from "./services";

type Datastore = Record<string, any>;

const describe = (d: Datastore) => `${d.name} (id ${d.id}, ${d.enrichment_only ? "enrichment" : "source"})`;

/**
 * `--datastore <name|id>`, else the only datastore `fits` (a source, or a linked source): a
 * person names what they click on; the default only saves typing when there is one candidate.
 */
async function targetDatastore(ctx: ChangeContext, fits: (d: Datastore) => boolean, what: string): Promise<{ q: QualyticsConsole; store: Datastore }> {
  const q = ctx.session.qualytics()[0];
  if (!q) throw new CliError("qualytics: the seed has no Qualytics instance");
  const all = await q.datastores();
  const listed = all.map(describe).join(", ") || "none";
  const given = ctx.option("datastore");
  if (given !== undefined) {
    const store = all.find((d) => d.name === given) ?? all.find((d) => String(d.id) === given);
    if (!store) throw usageError(`--datastore: no datastore ${given} on ${q.host} (datastores: ${listed})`);
    return { q, store };
  }
  const candidates = all.filter(fits);
  if (candidates.length === 1) return { q, store: candidates[0]! };
  if (candidates.length === 0) throw usageError(`--datastore is needed: no ${what} on ${q.host} (datastores: ${listed})`);
  throw usageError(`--datastore is needed: several ${what}s on ${q.host}: ${candidates.map(describe).join(", ")}`);
}

const isSource = (d: Datastore) => !d.enrichment_only;
const datastoreOption = (defaultsTo: string) => ({ name: "datastore", arg: "name|id", help: `datastore name or id (default: the only ${defaultsTo})` });
const target = (q: QualyticsConsole, d: Datastore) => `datastore ${d.name} (id ${d.id}) on ${q.host}`;

/** The full payload the edit form sends back: every setting as read, then the person's edits. */
function editBody(d: Datastore): Record<string, unknown> {
  return {
    name: d.name,
    description: d.description,
    database: d.database,
    schema: d.schema,
    teams: (d.teams ?? []).map((t: { name: string }) => t.name),
    tags: (d.global_tags ?? []).map((t: { name: string }) => t.name),
    enrichment_only: d.enrichment_only,
    enrichment_prefix: d.enrichment_prefix,
    enrichment_source_record_limit: d.enrichment_source_record_limit,
    enrichment_remediation_strategy: d.enrichment_remediation_strategy,
    high_count_rollup_threshold: d.high_count_rollup_threshold,
    connection_id: d.connection_id,
  };
}

export const qualyticsChanges: NamedChange[] = [
  {
    name: "unlink-enrichment",
    service: "qualytics",
    summary: "unlink a source datastore from its enrichment datastore",
    options: [datastoreOption("source datastore linked to an enrichment datastore")],
    async run(ctx): Promise<ChangeResult> {
      const { q, store } = await targetDatastore(ctx, (d) => isSource(d) && d.enrich_datastore, "linked source datastore");
      if (!store.enrich_datastore) throw new CliError(`qualytics: datastore ${store.name} is linked to no enrichment datastore`);
      await q.client.call("DELETE", `/api/datastores/${store.id}/enrichment`);
      return { target: target(q, store), done: [`unlinked ${store.name} from enrichment datastore ${describe(store.enrich_datastore)}`] };
    },
  },
  {
    name: "edit-datastore",
    service: "qualytics",
    summary: "edit a datastore's settings in the edit form (description, catalog, database)",
    options: [
      datastoreOption("source datastore"),
      { name: "description", arg: "text", help: 'new description (default, when nothing else is given: "edited in the console <time>")' },
      { name: "catalog", arg: "name", help: "new catalog (the API's `database`; the connection is tested again)" },
      { name: "database", arg: "name", help: "new database (the API's `schema`; the connection is tested again)" },
    ],
    async run(ctx): Promise<ChangeResult> {
      const { q, store } = await targetDatastore(ctx, isSource, "source datastore");
      const body = editBody(store);
      const done: string[] = [];
      const set = (field: string, label: string, value: string | undefined) => {
        if (value === undefined) return;
        done.push(`${label}: ${JSON.stringify(store[field] ?? null)} -> ${JSON.stringify(value)}`);
        body[field] = value;
      };
      set("description", "description", ctx.option("description"));
      set("database", "catalog", ctx.option("catalog"));
      set("schema", "database", ctx.option("database"));
      if (done.length === 0) set("description", "description", `edited in the console ${new Date().toISOString()}`);
      await q.client.call("PUT", `/api/datastores/${store.id}`, { body });
      return { target: target(q, store), done };
    },
  },
  {
    name: "delete-datastore",
    service: "qualytics",
    summary: "delete a datastore",
    options: [datastoreOption("source datastore")],
    async run(ctx): Promise<ChangeResult> {
      const { q, store } = await targetDatastore(ctx, isSource, "source datastore");
      await q.client.call("DELETE", `/api/datastores/${store.id}`);
      return { target: target(q, store), done: [`deleted ${describe(store)}`] };
    },
  },
];
