import type { FastifyInstance } from "fastify";
import { DatabricksApiError } from "./errors";

/**
 * `multipart/form-data` for DBFS put, the form the Databricks CLI uses for files up to 2 MiB
 * (fields `path`, `overwrite`, and the file part `contents`). Parsed into the same shape as the
 * JSON body, except that `contents` arrives as raw bytes.
 */
export interface MultipartPut {
  multipart: true;
  fields: Record<string, string>;
  files: Record<string, Buffer>;
}

const malformed = () => new DatabricksApiError(400, "MALFORMED_REQUEST", "Invalid multipart/form-data body.");

export function parseMultipart(body: Buffer, contentType: string): MultipartPut {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const marker = boundary?.[1] ?? boundary?.[2];
  if (!marker) throw malformed();
  const delimiter = Buffer.from(`--${marker}`);
  const result: MultipartPut = { multipart: true, fields: {}, files: {} };
  let start = body.indexOf(delimiter);
  if (start < 0) throw malformed();
  for (;;) {
    start += delimiter.length;
    if (body.subarray(start, start + 2).toString() === "--") return result; // closing delimiter
    const next = body.indexOf(delimiter, start);
    if (next < 0) throw malformed();
    // A part is CRLF, headers, CRLF CRLF, content, CRLF, then the next delimiter.
    const part = body.subarray(start + 2, next - 2);
    const split = part.indexOf("\r\n\r\n");
    if (split < 0) throw malformed();
    const headers = part.subarray(0, split).toString("utf8");
    const content = part.subarray(split + 4);
    const disposition = /content-disposition:[^\r\n]*?\bname="([^"]*)"(?:[^\r\n]*?\bfilename="([^"]*)")?/i.exec(headers);
    if (!disposition) throw malformed();
    if (disposition[2] !== undefined) result.files[disposition[1]!] = Buffer.from(content);
    else result.fields[disposition[1]!] = content.toString("utf8");
    start = next;
  }
}

export const isMultipart = (body: unknown): body is MultipartPut => (body as MultipartPut | undefined)?.multipart === true;

/** Registers the multipart parser on a route scope (encapsulated: other areas keep JSON only). */
export function acceptMultipart(scope: FastifyInstance): void {
  scope.addContentTypeParser("multipart/form-data", { parseAs: "buffer" }, (req, body, done) => {
    try {
      done(null, parseMultipart(body as Buffer, req.headers["content-type"] ?? ""));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}
