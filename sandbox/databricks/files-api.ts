import type { FastifyInstance, FastifyRequest } from "fastify";
import { answer } from "../common/answer";
import { DatabricksApiError, invalidParameter } from "./errors";
import type { WorkspaceArea, WorkspaceRuntime } from "./workspace";
import { parseRange } from "./files-api-range";
import { findVolume, ucState, type UcVolume } from "./unity-catalog-model";

/**
 * The Files API for Unity Catalog volumes: `/api/2.0/fs/files{path}` (PUT raw bytes, GET with
 * Range, HEAD, DELETE) and `/api/2.0/fs/directories{path}` (PUT = mkdir -p, GET = list, HEAD,
 * DELETE when empty). Paths are `/Volumes/<catalog>/<schema>/<volume>/...`, resolved against the
 * Unity Catalog slice; a volume's content is keyed by its volume_id, so renames keep it and a
 * re-created volume starts empty.
 */

interface VolumeFile {
  contentB64: string;
  lastModified: number;
}

interface VolumeContent {
  /** By path inside the volume, e.g. `/dir/a.csv`. */
  files: Record<string, VolumeFile>;
  /** Directories inside the volume (the root `""` is implicit), with their creation time. */
  directories: Record<string, number>;
}

export interface FilesApiState {
  volumes: Record<string, VolumeContent>;
}

const AREA = "files-api";
const MAX_PAGE_SIZE = 1000;

/** Files API errors carry a google.rpc.ErrorInfo reason that clients (the CLI) key off. */
class FilesApiError extends DatabricksApiError {
  constructor(
    status: number,
    errorCode: string,
    message: string,
    private readonly reason?: string,
  ) {
    super(status, errorCode, message);
  }

  override toBody() {
    const body = super.toBody();
    if (!this.reason) return body;
    return { ...body, details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: this.reason, domain: "filesystem.databricks.com" }] };
  }
}

const fileNotFound = (path: string) => new FilesApiError(404, "NOT_FOUND", `The file being accessed is not found: ${path}`);
const directoryNotFound = (path: string) =>
  new FilesApiError(404, "NOT_FOUND", `The directory being accessed is not found: ${path}`, "FILES_API_DIRECTORY_IS_NOT_FOUND");
/** Upload over an existing file without overwrite: 409 ALREADY_EXISTS (the CLI checks both). */
const fileExists = (path: string) => new FilesApiError(409, "ALREADY_EXISTS", `The file being created already exists: ${path}`);
/**
 * A file where a directory is wanted or the reverse: 409, but not ALREADY_EXISTS (the Go SDK maps
 * it to Aborted, per databricks/cli files_client tests); the code itself is unconfirmed.
 */
const pathConflict = (path: string) => new FilesApiError(409, "RESOURCE_CONFLICT", `A file or directory already exists at this path: ${path}`);

interface VolumePath {
  volume: UcVolume;
  /** Path inside the volume: "" for the root, else `/a/b`. */
  inner: string;
  /** The full path as the API shows it, with the volume's current names. */
  full: string;
}

export const filesApiArea: WorkspaceArea<FilesApiState> = {
  name: AREA,
  init() {
    return { volumes: {} };
  },
  routes(app: FastifyInstance, ws: WorkspaceRuntime) {
    const state = () => ws.slice<FilesApiState>(AREA);

    /** `/Volumes/c/s/v/...` → the volume and the path inside it. Unknown volume: 404. */
    const resolve = (req: FastifyRequest): VolumePath => {
      const raw = `/${(req.params as Record<string, string>)["*"] ?? ""}`;
      // One trailing slash is tolerated (directory paths); empty, "." and ".." segments are not.
      const trimmed = raw.length > 1 && raw.endsWith("/") ? raw.slice(0, -1) : raw;
      const parts = trimmed.split("/").slice(1);
      if (parts.some((p) => p === "" || p === "." || p === "..")) throw invalidParameter(`Invalid path: ${raw}`);
      if (parts[0] !== "Volumes" || parts.length < 4) throw invalidParameter(`Path must be of the form /Volumes/<catalog>/<schema>/<volume>/...: ${raw}`);
      const volume = findVolume(ucState(ws), parts[1]!, parts[2]!, parts[3]!);
      if (!volume) throw new FilesApiError(404, "NOT_FOUND", `Volume '${parts.slice(1, 4).join(".").toLowerCase()}' does not exist.`);
      const inner = parts.length > 4 ? `/${parts.slice(4).join("/")}` : "";
      return { volume, inner, full: `/Volumes/${volume.catalogName}/${volume.schemaName}/${volume.name}${inner}` };
    };

    /** This volume's content; also forgets content of volumes deleted from Unity Catalog. */
    const contentOf = (volume: UcVolume): VolumeContent => {
      const volumes = state().volumes;
      const live = new Set(ucState(ws).volumes.map((v) => v.id));
      for (const id of Object.keys(volumes)) if (!live.has(id)) delete volumes[id];
      return (volumes[volume.id] ??= { files: {}, directories: {} });
    };

    const isDirectory = (c: VolumeContent, inner: string) => inner === "" || c.directories[inner] !== undefined;
    const ancestors = (inner: string) => {
      const parts = inner.split("/").filter(Boolean);
      return parts.slice(0, -1).map((_, i) => `/${parts.slice(0, i + 1).join("/")}`);
    };
    const isChild = (path: string, dir: string) => path.startsWith(`${dir}/`) && !path.slice(dir.length + 1).includes("/");

    const fileHeaders = (file: VolumeFile, length: number): Record<string, string> => ({
      "content-type": "application/octet-stream",
      "content-length": String(length),
      "last-modified": new Date(file.lastModified).toUTCString(),
      "accept-ranges": "bytes",
    });

    const requireFile = (req: FastifyRequest) => {
      const target = resolve(req);
      const file = contentOf(target.volume).files[target.inner];
      if (!file) throw fileNotFound(target.full);
      return { target, file };
    };

    // Uploads are raw bytes of any content type; the JSON parser must not touch them.
    app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));

      scope.put("/api/2.0/fs/files/*", async (req) => {
        const target = resolve(req);
        if (target.inner === "") throw pathConflict(target.full);
        // "If true or unspecified, an existing file will be overwritten" (SDK UploadRequest docs).
        const overwrite = String((req.query as Record<string, unknown>).overwrite ?? "true").toLowerCase() !== "false";
        const content = contentOf(target.volume);
        if (isDirectory(content, target.inner) || ancestors(target.inner).some((a) => content.files[a])) throw pathConflict(target.full);
        if (content.files[target.inner] && !overwrite) throw fileExists(target.full);
        const now = ws.clock.now();
        // Parent directories are created implicitly.
        for (const dir of ancestors(target.inner)) content.directories[dir] ??= now;
        const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        content.files[target.inner] = { contentB64: bytes.toString("base64"), lastModified: now };
        ws.save();
        return answer(204);
      });
    });

    app.head("/api/2.0/fs/files/*", async (req) => {
      const { file } = requireFile(req);
      return answer(200, undefined, fileHeaders(file, Buffer.byteLength(file.contentB64, "base64")));
    });

    app.get("/api/2.0/fs/files/*", { exposeHeadRoute: false }, async (req) => {
      const { file } = requireFile(req);
      const bytes = Buffer.from(file.contentB64, "base64");
      const range = parseRange(req.headers.range, bytes.length);
      if (range.kind === "unsatisfiable") {
        return answer(
          416,
          { error_code: "INVALID_PARAMETER_VALUE", message: "Requested range not satisfiable." },
          { "content-range": `bytes */${bytes.length}` },
        );
      }
      if (range.kind === "full") return answer(200, bytes, fileHeaders(file, bytes.length));
      const slice = bytes.subarray(range.start, range.end + 1);
      return answer(206, slice, { ...fileHeaders(file, slice.length), "content-range": `bytes ${range.start}-${range.end}/${bytes.length}` });
    });

    app.delete("/api/2.0/fs/files/*", async (req) => {
      const { target } = requireFile(req);
      delete contentOf(target.volume).files[target.inner];
      ws.save();
      return answer(204);
    });

    app.put("/api/2.0/fs/directories/*", async (req) => {
      const target = resolve(req);
      const content = contentOf(target.volume);
      const chain = [...ancestors(target.inner), ...(target.inner ? [target.inner] : [])];
      if (chain.some((d) => content.files[d])) throw pathConflict(target.full);
      // mkdir -p: idempotent on an existing directory.
      const now = ws.clock.now();
      for (const dir of chain) content.directories[dir] ??= now;
      ws.save();
      return answer(204);
    });

    app.head("/api/2.0/fs/directories/*", async (req) => {
      const target = resolve(req);
      if (!isDirectory(contentOf(target.volume), target.inner)) throw directoryNotFound(target.full);
      return answer(200);
    });

    app.get("/api/2.0/fs/directories/*", { exposeHeadRoute: false }, async (req) => {
      const target = resolve(req);
      const content = contentOf(target.volume);
      if (!isDirectory(content, target.inner)) throw directoryNotFound(target.full);
      const query = req.query as Record<string, string | undefined>;
      const pageSize = Math.min(Math.max(Number(query.page_size) || MAX_PAGE_SIZE, 1), MAX_PAGE_SIZE);
      const offset = query.page_token ? Number(Buffer.from(query.page_token, "base64url").toString("utf8")) || 0 : 0;
      const base = target.full.slice(0, target.full.length - target.inner.length);
      // Directory entries end in "/" and carry no size or time (as recalled from the SDKs; unconfirmed).
      const entries = [
        ...Object.keys(content.directories)
          .filter((d) => isChild(d, target.inner))
          .map((d) => ({ path: `${base}${d}/`, is_directory: true, name: d.slice(d.lastIndexOf("/") + 1) })),
        ...Object.entries(content.files)
          .filter(([f]) => isChild(f, target.inner))
          .map(([f, file]) => ({
            path: `${base}${f}`,
            is_directory: false,
            file_size: Buffer.byteLength(file.contentB64, "base64"),
            last_modified: file.lastModified,
            name: f.slice(f.lastIndexOf("/") + 1),
          })),
      ].sort((a, b) => a.path.localeCompare(b.path));
      const page = entries.slice(offset, offset + pageSize);
      const more = offset + pageSize < entries.length;
      return {
        ...(page.length ? { contents: page } : {}),
        ...(more ? { next_page_token: Buffer.from(String(offset + pageSize)).toString("base64url") } : {}),
      };
    });

    app.delete("/api/2.0/fs/directories/*", async (req) => {
      const target = resolve(req);
      const content = contentOf(target.volume);
      if (target.inner === "") throw invalidParameter(`Cannot delete the root directory of a volume: ${target.full}`);
      if (!isDirectory(content, target.inner)) throw directoryNotFound(target.full);
      const hasChildren =
        Object.keys(content.directories).some((d) => d.startsWith(`${target.inner}/`)) ||
        Object.keys(content.files).some((f) => f.startsWith(`${target.inner}/`));
      if (hasChildren) {
        throw new FilesApiError(400, "INVALID_PARAMETER_VALUE", `The directory being deleted is not empty: ${target.full}`, "FILES_API_DIRECTORY_IS_NOT_EMPTY");
      }
      delete content.directories[target.inner];
      ws.save();
      return answer(204);
    });
  },
};
