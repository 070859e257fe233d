import type { QueryReader } from "./request";

/** Qualytics list pages (fastapi-pagination): `page` counts from 1, `size` defaults to 50, max 100. */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  size: number;
  pages: number;
}

export interface PageRequest {
  page: number;
  size: number;
}

export const readPageRequest = (query: QueryReader): PageRequest => ({
  page: query.int("page", { default: 1, min: 1 }),
  size: query.int("size", { default: 50, min: 1, max: 100 }),
});

/** A page past the end is an empty `items` list with the real `total` (no 404). */
export function paginate<T>(all: T[], { page, size }: PageRequest): Page<T> {
  const start = (page - 1) * size;
  return { items: all.slice(start, start + size), total: all.length, page, size, pages: Math.ceil(all.length / size) };
}
