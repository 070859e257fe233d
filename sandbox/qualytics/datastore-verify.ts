import type { FastifyInstance } from "fastify";
import { answer } from "../common/answer";
import { datastoreCreateBody } from "./bodies";
import { bodyInCurrentNames } from "./dialect";
import { QualyticsApiError } from "./errors";
import type { QualyticsInstance } from "./instance";
import { parseBody, pathId } from "./request";

/**
 * Connection tests. For a saved datastore: 200 `{connected, message?}` whatever the outcome,
 * and `connected` on the datastore remembers it. For an unsaved create payload: 204 when it
 * connects, 400 with the reason when it does not; nothing is stored.
 */
export function datastoreVerifyRoutes(app: FastifyInstance, inst: QualyticsInstance): void {
  app.post("/api/datastores/:datastore_id/connection", async (req) => {
    inst.requireRole(req, "Member");
    const id = pathId(req.params, "datastore_id");
    const store = inst.datastore(id);
    const result = await inst.tester.test(inst.connectionOf(store), store);
    // The datastore may have gone while the test ran; the answer still stands.
    const current = inst.data.datastores.find((d) => d.id === id);
    if (current) {
      current.connected = result.connected;
      inst.save();
    }
    return result;
  });

  // Some deployments lack this route (the seed's `unsavedConnectionTest: false`): then it is
  // FastAPI's plain 404, as for any unknown path.
  if (inst.data.unsavedConnectionTest === false) return;
  app.post("/api/datastores/connection", async (req) => {
    inst.requireRole(req, "Manager");
    const body = parseBody(datastoreCreateBody, bodyInCurrentNames(inst.dialect, req.body));
    const connection = body.connection ?? inst.connection(body.connection_id!);
    inst.secrets.add(connection.password);
    const result = await inst.tester.test(connection, body);
    // The guide shows this failure as 400 `{"message": ...}`; the other dialects say `detail`.
    if (!result.connected) throw new QualyticsApiError(400, result.message, {}, inst.dialect === "guide" ? "message" : "detail");
    return answer(204);
  });
}
