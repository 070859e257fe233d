import { invalidParameter } from "./errors";

/** Opaque page tokens for `clusters/list` and `clusters/events`: the offset of the next page. */
export const encodePageToken = (offset: number): string => Buffer.from(JSON.stringify({ offset })).toString("base64url");

export function decodePageToken(token: string): number {
  try {
    const { offset } = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { offset?: unknown };
    if (typeof offset === "number" && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    /* not one of ours: fall through */
  }
  throw invalidParameter(`Invalid page_token: ${token}`);
}
