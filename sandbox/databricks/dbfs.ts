import { parseBody } from "./request";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { DatabricksApiError, invalidParameter } from "./errors";
import type { WorkspaceArea, WorkspaceRuntime } from "./workspace";
import { acceptMultipart, isMultipart } from "./dbfs-multipart";
import {
  ROOT,
  ancestorsOf,
  assertWritable,
  childrenOf,
  dbfsAlreadyExists,
  dbfsNotFound,
  decodeBase64,
  ensureDirectories,
  fileInfo,
  moveTree,
  normalizeDbfsPath,
  subtreeOf,
  writeFile,
  type DbfsNodes,
} from "./dbfs-tree";

/**
 * DBFS (`/api/2.0/dbfs/*`): put, the create / add-block / close stream, read, get-status, list,
 * mkdirs, delete and move, with the 1 MiB block and read limits of the real service.
 */

/** An open write stream. The file appears only at close, like an object-store upload completing. */
export interface DbfsHandle {
  path: string;
  /** The path as the client sent it, for error messages. */
  rawPath: string;
  overwrite: boolean;
  blocksB64: string[];
  lastUsedAt: number;
}

export interface DbfsState {
  nodes: DbfsNodes;
  /** Open handles by handle number. */
  handles: Record<string, DbfsHandle>;
}

const AREA = "dbfs";
const MiB = 1024 * 1024;
const MAX_BLOCK_BYTES = MiB;
const MAX_READ_BYTES = MiB;
const DEFAULT_READ_BYTES = 512 * 1024;
/** "There is a 10 minute idle timeout on this handle" (real time; scaled by the clock). */
const HANDLE_IDLE_MS = 10 * 60_000;

const maxBlockExceeded = (field: string, found: number) =>
  new DatabricksApiError(
    400,
    "MAX_BLOCK_SIZE_EXCEEDED",
    `The '${field}' data cannot exceed ${MAX_BLOCK_BYTES} bytes. Found: ${found} bytes. You might want to use streaming upload instead.`,
  );
const handleNotFound = (handle: string) => new DatabricksApiError(404, "RESOURCE_DOES_NOT_EXIST", `The handle ${handle} does not exist.`);

const flag = z.union([z.boolean(), z.enum(["true", "false", "True", "False"]).transform((v) => v.toLowerCase() === "true")]);
const handleId = z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(String);
const putBody = z.object({ path: z.string(), contents: z.string().optional(), overwrite: flag.optional() });
const createBody = z.object({ path: z.string(), overwrite: flag.optional() });
const addBlockBody = z.object({ handle: handleId, data: z.string() });
const closeBody = z.object({ handle: handleId });
const deleteBody = z.object({ path: z.string(), recursive: flag.optional() });
const mkdirsBody = z.object({ path: z.string() });
const moveBody = z.object({ source_path: z.string(), destination_path: z.string() });

function parseOffset(value: string | undefined, field: string, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw invalidParameter(`Invalid value for field ${field}: must be a non-negative integer, got ${value}.`);
  return n;
}

export const dbfsArea: WorkspaceArea<DbfsState> = {
  name: AREA,
  init(_seed, ws) {
    return { nodes: { [ROOT]: { isDir: true, modificationTime: ws.clock.now() } }, handles: {} };
  },
  routes(app: FastifyInstance, ws: WorkspaceRuntime) {
    const state = () => ws.slice<DbfsState>(AREA);

    /** Drops handles idle for longer than the timeout, then returns the live one or 404s. */
    const liveHandle = (id: string): DbfsHandle => {
      const handles = state().handles;
      const now = ws.clock.now();
      for (const [key, h] of Object.entries(handles)) if (now - h.lastUsedAt > ws.clock.duration(HANDLE_IDLE_MS)) delete handles[key];
      const handle = handles[id];
      if (!handle) throw handleNotFound(id);
      return handle;
    };

    const existing = (path: string, rawPath: string) => {
      const node = state().nodes[path];
      if (!node) throw dbfsNotFound(rawPath);
      return node;
    };

    // put takes JSON (`contents` base64, at most 1 MiB decoded) or multipart/form-data (the file
    // part `contents`; the 1 MiB limit applies to the base64 parameter only, so multipart is bound
    // by the request size limit alone).
    app.register(async (scope) => {
      acceptMultipart(scope);
      scope.post("/api/2.0/dbfs/put", async (req) => {
        let rawPath: string;
        let overwrite: boolean;
        let content: Buffer;
        if (isMultipart(req.body)) {
          const form = parseBody(putBody.omit({ contents: true }), req.body.fields);
          rawPath = form.path;
          overwrite = form.overwrite ?? false;
          content = req.body.files.contents ?? Buffer.from(req.body.fields.contents ?? "", "utf8");
        } else {
          const body = parseBody(putBody, req.body);
          rawPath = body.path;
          overwrite = body.overwrite ?? false;
          content = decodeBase64("contents", body.contents ?? "");
          if (content.length > MAX_BLOCK_BYTES) throw maxBlockExceeded("contents", content.length);
        }
        const path = normalizeDbfsPath(rawPath);
        const nodes = state().nodes;
        assertWritable(nodes, path, rawPath, overwrite);
        writeFile(nodes, path, content.toString("base64"), ws.clock.now());
        ws.save();
        return {};
      });
    });

    app.post("/api/2.0/dbfs/create", async (req) => {
      const body = parseBody(createBody, req.body);
      const path = normalizeDbfsPath(body.path);
      const overwrite = body.overwrite ?? false;
      assertWritable(state().nodes, path, body.path, overwrite);
      const handle = ws.newId();
      state().handles[String(handle)] = { path, rawPath: body.path, overwrite, blocksB64: [], lastUsedAt: ws.clock.now() };
      ws.save();
      return { handle };
    });

    app.post("/api/2.0/dbfs/add-block", async (req) => {
      const body = parseBody(addBlockBody, req.body);
      const handle = liveHandle(body.handle);
      const block = decodeBase64("data", body.data);
      if (block.length > MAX_BLOCK_BYTES) throw maxBlockExceeded("data", block.length);
      handle.blocksB64.push(block.toString("base64"));
      handle.lastUsedAt = ws.clock.now();
      ws.save();
      return {};
    });

    app.post("/api/2.0/dbfs/close", async (req) => {
      const body = parseBody(closeBody, req.body);
      const handle = liveHandle(body.handle);
      const nodes = state().nodes;
      delete state().handles[body.handle];
      // Re-checked here because the file materialises only now; someone may have written it since.
      assertWritable(nodes, handle.path, handle.rawPath, handle.overwrite);
      const content = Buffer.concat(handle.blocksB64.map((b) => Buffer.from(b, "base64")));
      writeFile(nodes, handle.path, content.toString("base64"), ws.clock.now());
      ws.save();
      return {};
    });

    app.get("/api/2.0/dbfs/get-status", async (req) => {
      const rawPath = (req.query as Record<string, string | undefined>).path ?? "";
      const path = normalizeDbfsPath(rawPath);
      return fileInfo(path, existing(path, rawPath));
    });

    app.get("/api/2.0/dbfs/list", async (req) => {
      const rawPath = (req.query as Record<string, string | undefined>).path ?? "";
      const path = normalizeDbfsPath(rawPath);
      const node = existing(path, rawPath);
      const nodes = state().nodes;
      // A file lists as itself; an empty directory answers `{}` (no `files` key), as the real one does.
      const files = node.isDir ? childrenOf(nodes, path).map((p) => fileInfo(p, nodes[p]!)) : [fileInfo(path, node)];
      return files.length ? { files } : {};
    });

    app.get("/api/2.0/dbfs/read", async (req) => {
      const query = req.query as Record<string, string | undefined>;
      const rawPath = query.path ?? "";
      const path = normalizeDbfsPath(rawPath);
      const offset = parseOffset(query.offset, "offset", 0);
      const length = parseOffset(query.length, "length", DEFAULT_READ_BYTES);
      if (length > MAX_READ_BYTES) {
        throw new DatabricksApiError(400, "MAX_READ_SIZE_EXCEEDED", `Cannot read more than ${MAX_READ_BYTES} bytes at a time. Requested: ${length} bytes.`);
      }
      const node = existing(path, rawPath);
      if (node.isDir) throw invalidParameter(`Cannot read a directory: ${rawPath}.`);
      // Reading past the end returns what is there (possibly nothing).
      const bytes = Buffer.from(node.contentB64 ?? "", "base64").subarray(offset, offset + length);
      return { bytes_read: bytes.length, data: bytes.toString("base64") };
    });

    app.post("/api/2.0/dbfs/mkdirs", async (req) => {
      const body = parseBody(mkdirsBody, req.body);
      const path = normalizeDbfsPath(body.path);
      if (path !== ROOT) {
        const nodes = state().nodes;
        if (nodes[path] && !nodes[path]!.isDir) throw dbfsAlreadyExists(body.path);
        ensureDirectories(nodes, [...ancestorsOf(path), path], ws.clock.now());
        ws.save();
      }
      return {};
    });

    app.post("/api/2.0/dbfs/delete", async (req) => {
      const body = parseBody(deleteBody, req.body);
      const path = normalizeDbfsPath(body.path);
      if (path === ROOT) throw invalidParameter("Cannot delete the root directory.");
      const nodes = state().nodes;
      const node = nodes[path];
      // Deleting a missing path succeeds (the CLI stats first for exactly this reason).
      if (!node) return {};
      if (node.isDir && !body.recursive && childrenOf(nodes, path).length > 0) {
        // The backend answered IO_ERROR until late 2025 and BAD_REQUEST since (databricks/cli#4153);
        // the sandbox follows the current backend, so clients must accept both codes.
        throw new DatabricksApiError(400, "BAD_REQUEST", "Directory is not empty. Use recursive delete or remove contents first.");
      }
      for (const p of subtreeOf(nodes, path)) delete nodes[p];
      ws.save();
      return {};
    });

    app.post("/api/2.0/dbfs/move", async (req) => {
      const body = parseBody(moveBody, req.body);
      const from = normalizeDbfsPath(body.source_path);
      const to = normalizeDbfsPath(body.destination_path);
      const nodes = state().nodes;
      if (from === ROOT) throw invalidParameter("Cannot move the root directory.");
      existing(from, body.source_path);
      if (nodes[to]) throw dbfsAlreadyExists(body.destination_path);
      if (to.startsWith(`${from}/`)) throw invalidParameter(`Cannot move ${body.source_path} into itself.`);
      ensureDirectories(nodes, ancestorsOf(to), ws.clock.now());
      moveTree(nodes, from, to);
      ws.save();
      return {};
    });
  },
};
