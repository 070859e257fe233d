import { z } from "zod";

/**
 * A service's seed: the hosts it serves under `key` (`workspaces`, `instances`), none by default.
 * Services with settings beyond their hosts extend it.
 */
export const hostsSeedSchema = <K extends string, T extends z.ZodType>(key: K, host: T) =>
  z.object({ [key]: z.array(host).default([]) } as { [P in K]: z.ZodDefault<z.ZodArray<T>> });
