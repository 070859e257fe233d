import type { FastifyInstance } from "fastify";
import { answer } from "../common/answer";
import { conflict } from "./errors";
import type { QualyticsInstance } from "./instance";
import type { DatastoreRecord } from "./model";
import { activeOperations } from "./operations";
import { pathId } from "./request";
import { datastoreView } from "./views";

/**
 * Linking a source datastore to an enrichment datastore (where scan results are written).
 * Rules from the guide's enrichment API page: linking is idempotent and switches an existing
 * link; a source that is itself an enrichment store is a 409 ("The datastore id: 100 is an
 * enrichment store"); unlinking is a no-op when nothing is linked and resets the remediation
 * strategy to `none`; unlinking needs the Admin role.
 */

/** The datastore a source may link to: it must exist (404) and be an enrichment store. */
export function enrichmentTarget(inst: QualyticsInstance, enrichId: number): DatastoreRecord {
  const target = inst.datastore(enrichId);
  // Linking to a source (non-enrichment) datastore: undocumented; the sandbox answers 409 in
  // the same words as the documented case, mirrored.
  if (!target.enrichmentOnly) throw conflict(`The datastore id: ${target.id} is not an enrichment store`);
  return target;
}

/** Checks the link rules and links; the caller saves. */
export function linkEnrichment(inst: QualyticsInstance, source: DatastoreRecord, enrichId: number): void {
  if (source.enrichmentOnly) throw conflict(`The datastore id: ${source.id} is an enrichment store`);
  source.enrichDatastoreId = enrichmentTarget(inst, enrichId).id;
}

/** Source datastores that write to the given enrichment datastore. */
export const sourcesLinkedTo = (inst: QualyticsInstance, enrich: DatastoreRecord): DatastoreRecord[] =>
  inst.data.datastores.filter((d) => d.enrichDatastoreId === enrich.id);

export function enrichmentRoutes(app: FastifyInstance, inst: QualyticsInstance): void {
  app.patch("/api/datastores/:datastore_id/enrichment/:enrich_store_id", async (req) => {
    inst.requireRole(req, "Member");
    const source = inst.datastore(pathId(req.params, "datastore_id"));
    linkEnrichment(inst, source, pathId(req.params, "enrich_store_id"));
    source.updated = inst.nowIso();
    inst.save();
    return datastoreView(inst, source);
  });

  app.delete("/api/datastores/:datastore_id/enrichment", async (req) => {
    inst.requireRole(req, "Admin");
    const source = inst.datastore(pathId(req.params, "datastore_id"));
    // The guide: not while Export or Materialize operations are active (they write there).
    const busy = activeOperations(inst, source.id, ["export", "materialize"]);
    if (busy.length > 0) {
      throw conflict(
        `The enrichment datastore of datastore id: ${source.id} cannot be removed while operations are active: ${busy.map((o) => `${o.type} ${o.id}`).join(", ")}`,
      );
    }
    if (source.enrichDatastoreId !== null) {
      source.enrichDatastoreId = null;
      source.enrichmentRemediationStrategy = "none";
      source.updated = inst.nowIso();
      inst.save();
    }
    return answer(204);
  });
}
