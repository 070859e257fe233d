import { parseBody } from "./request";
import { answer } from "../common/answer";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { DatabricksApiError, invalidParameter } from "./errors";
import { acceptMultipart, isMultipart } from "./dbfs-multipart";
import type { WorkspaceArea, WorkspaceRuntime } from "./workspace";
import {
  extensionOf,
  isSourceNotebook,
  languageForExtension,
  LANGUAGES,
  parseIpynb,
  renderNotebook,
  stripExtension,
  type NotebookFormat,
  type NotebookLanguage,
} from "./workspace-files-notebooks";
import {
  ROOT,
  SYSTEM_FOLDERS,
  ancestorsOf,
  childrenOf,
  normalizeWorkspacePath,
  objectInfo,
  parentMissing,
  parentOf,
  pathExists,
  pathNotFound,
  subtreeOf,
  type WorkspaceFilesState,
  type WorkspaceObject,
} from "./workspace-files-tree";

/**
 * Workspace files and notebooks (`/api/2.0/workspace/*`): import, export, get-status, list,
 * mkdirs, delete. SOURCE, AUTO, RAW and JUPYTER are modelled; DBC, HTML and R_MARKDOWN are not.
 */

const AREA = "workspace-files";
/** 10 MB, as the real error message states it. */
const MAX_IMPORT_BYTES = 10_485_760;

const flag = z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]);
const importBody = z.object({
  path: z.string(),
  content: z.string().optional(),
  // "By default, this is SOURCE."
  format: z.enum(["AUTO", "SOURCE", "RAW", "JUPYTER", "DBC", "HTML", "R_MARKDOWN"]).default("SOURCE"),
  language: z.enum(["PYTHON", "SCALA", "SQL", "R"]).optional(),
  overwrite: flag.optional(),
});
const deleteBody = z.object({ path: z.string(), recursive: flag.optional() });
const mkdirsBody = z.object({ path: z.string() });
const exportFormat = z.enum(["AUTO", "SOURCE", "RAW", "JUPYTER", "DBC", "HTML", "R_MARKDOWN"]).default("SOURCE");

function decodeContent(value: string): Buffer {
  const compact = value.replace(/\s+/g, "");
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) throw invalidParameter("Field 'content' is not valid base64.");
  return Buffer.from(compact, "base64");
}

const sizeExceeded = (size: number) =>
  new DatabricksApiError(400, "BAD_REQUEST", `File size imported is (${size} bytes), exceeded max size (${MAX_IMPORT_BYTES} bytes)`);
const unsupportedFormat = (format: string) => invalidParameter(`The sandbox does not model the ${format} format.`);

/** What an import creates: where, and as which kind of object. */
interface ImportTarget {
  path: string;
  objectType: "FILE" | "NOTEBOOK";
  language?: NotebookLanguage;
  notebookFormat?: NotebookFormat;
}

/**
 * AUTO imports a notebook when the extension and the content say so (and then drops the
 * extension from the path, as documented), otherwise a file. SOURCE with a language and JUPYTER
 * import notebooks at the path as given; RAW imports a file.
 */
function importTarget(path: string, format: string, language: NotebookLanguage | undefined, content: Buffer): ImportTarget {
  const ext = extensionOf(path);
  switch (format) {
    case "AUTO": {
      const byExt = languageForExtension(ext);
      if (byExt && isSourceNotebook(content, byExt)) return { path: stripExtension(path), objectType: "NOTEBOOK", language: byExt, notebookFormat: "SOURCE" };
      const ipynb = ext === "ipynb" ? parseIpynb(content) : undefined;
      if (ipynb) return { path: stripExtension(path), objectType: "NOTEBOOK", language: ipynb.language, notebookFormat: "JUPYTER" };
      return { path, objectType: "FILE" };
    }
    case "SOURCE":
      if (!language) throw invalidParameter("The language parameter is required when importing in SOURCE format.");
      return { path, objectType: "NOTEBOOK", language, notebookFormat: "SOURCE" };
    case "JUPYTER": {
      const ipynb = parseIpynb(content);
      if (!ipynb) throw invalidParameter("The content is not a valid Jupyter notebook.");
      return { path, objectType: "NOTEBOOK", language: ipynb.language, notebookFormat: "JUPYTER" };
    }
    case "RAW":
      return { path, objectType: "FILE" };
    default:
      throw unsupportedFormat(format);
  }
}

export const workspaceFilesArea: WorkspaceArea<WorkspaceFilesState> = {
  name: AREA,
  init(seed, ws) {
    const now = ws.clock.now();
    const folder = (objectId: number): WorkspaceObject => ({ objectType: "DIRECTORY", objectId, createdAt: now, modifiedAt: now });
    const objects: Record<string, WorkspaceObject> = { [ROOT]: folder(0) };
    for (const p of SYSTEM_FOLDERS.slice(1)) objects[p] = folder(ws.newId());
    // Every user has a home folder.
    for (const u of seed.users) objects[`/Users/${u.userName}`] = folder(ws.newId());
    return { objects };
  },
  routes(app: FastifyInstance, ws: WorkspaceRuntime) {
    const objects = () => ws.slice<WorkspaceFilesState>(AREA).objects;
    const queryOf = (req: { query: unknown }) => req.query as Record<string, string | undefined>;
    const existing = (path: string) => {
      const o = objects()[path];
      if (!o) throw pathNotFound(path);
      return o;
    };

    // import takes JSON (`content` base64) or multipart/form-data, what the SDKs' `workspace.upload`
    // sends: the fields `path`, `format`, `language`, `overwrite` and the file part `content` as raw bytes.
    app.register(async (scope) => {
      acceptMultipart(scope);
      scope.post("/api/2.0/workspace/import", async (req) => {
        const multipart = isMultipart(req.body) ? req.body : undefined;
        const body = parseBody(importBody, multipart ? { ...multipart.fields, content: undefined } : req.body);
        const content = multipart ? (multipart.files.content ?? Buffer.from(multipart.fields.content ?? "", "utf8")) : decodeContent(body.content ?? "");
        if (content.length > MAX_IMPORT_BYTES) throw sizeExceeded(content.length);
        const target = importTarget(normalizeWorkspacePath(body.path), body.format, body.language, content);
        const all = objects();
        const parent = parentOf(target.path);
        if (all[parent]?.objectType !== "DIRECTORY") throw parentMissing(parent);
        const previous = all[target.path];
        if (previous && (!body.overwrite || previous.objectType === "DIRECTORY")) throw pathExists(target.path);
        const now = ws.clock.now();
        const objectId = previous?.objectId ?? ws.newId();
        all[target.path] = {
          objectType: target.objectType,
          objectId,
          createdAt: previous?.createdAt ?? now,
          modifiedAt: now,
          ...(target.language ? { language: target.language, notebookFormat: target.notebookFormat } : {}),
          contentB64: content.toString("base64"),
        };
        ws.save();
        // Undocumented but returned by the real API (the Terraform provider reads it).
        return { object_id: objectId };
      });
    });

    app.get("/api/2.0/workspace/export", async (req) => {
      const query = queryOf(req);
      const path = normalizeWorkspacePath(query.path);
      const o = existing(path);
      const format = exportFormat.safeParse(query.format ?? undefined);
      if (!format.success) throw invalidParameter(`Invalid export format: ${query.format}`);
      let content: Buffer;
      let fileType: string | undefined;
      if (o.objectType === "DIRECTORY") {
        // The real API returns a DBC archive of the folder; the sandbox does not build archives.
        throw unsupportedFormat(`${format.data} export of a folder`);
      } else if (o.objectType === "FILE") {
        content = Buffer.from(o.contentB64 ?? "", "base64");
      } else {
        const stored = o.notebookFormat ?? "SOURCE";
        const wanted = format.data === "AUTO" ? stored : format.data;
        if (wanted !== "SOURCE" && wanted !== "JUPYTER") throw unsupportedFormat(`${wanted} export of a notebook`);
        const language = o.language ?? "PYTHON";
        content = renderNotebook(Buffer.from(o.contentB64 ?? "", "base64"), stored, wanted, language);
        fileType = wanted === "JUPYTER" ? "ipynb" : LANGUAGES[language].extension;
      }
      if (query.direct_download === "true") return answer(200, content, {}, "application/octet-stream");
      return { content: content.toString("base64"), ...(fileType ? { file_type: fileType } : {}) };
    });

    app.get("/api/2.0/workspace/get-status", async (req) => {
      const path = normalizeWorkspacePath(queryOf(req).path);
      return objectInfo(path, existing(path));
    });

    app.get("/api/2.0/workspace/list", async (req) => {
      const path = normalizeWorkspacePath(queryOf(req).path);
      const o = existing(path);
      const all = objects();
      // A file or notebook lists as itself; an empty folder answers `{}` (no `objects` key).
      const listed = o.objectType === "DIRECTORY" ? childrenOf(all, path).map((p) => objectInfo(p, all[p]!)) : [objectInfo(path, o)];
      return listed.length ? { objects: listed } : {};
    });

    app.post("/api/2.0/workspace/mkdirs", async (req) => {
      const path = normalizeWorkspacePath(parseBody(mkdirsBody, req.body).path);
      const all = objects();
      const chain = [...ancestorsOf(path), ...(path === ROOT ? [] : [path])];
      const blocking = chain.find((p) => all[p] && all[p]!.objectType !== "DIRECTORY");
      // Wording as observed (databrickslabs/dbx#613); status 400.
      if (blocking) throw new DatabricksApiError(400, "RESOURCE_ALREADY_EXISTS", `${blocking} already exists and it is not a folder`);
      const now = ws.clock.now();
      let created = false;
      for (const p of chain) {
        if (all[p]) continue;
        all[p] = { objectType: "DIRECTORY", objectId: ws.newId(), createdAt: now, modifiedAt: now };
        created = true;
      }
      if (created) ws.save();
      return {};
    });

    app.post("/api/2.0/workspace/delete", async (req) => {
      const body = parseBody(deleteBody, req.body);
      const path = normalizeWorkspacePath(body.path);
      const all = objects();
      const o = existing(path);
      if (SYSTEM_FOLDERS.includes(path)) throw new DatabricksApiError(400, "DIRECTORY_PROTECTED", `Folder (${path}) is protected and cannot be deleted.`);
      if (o.objectType === "DIRECTORY" && !body.recursive && childrenOf(all, path).length > 0) {
        // The CLI keys off this error code at status 400.
        throw new DatabricksApiError(400, "DIRECTORY_NOT_EMPTY", `Folder (${path}) is not empty`);
      }
      for (const p of subtreeOf(all, path)) delete all[p];
      ws.save();
      return {};
    });
  },
};
