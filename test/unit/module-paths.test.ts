import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as pkg from "../../provider";
import { implementationPath, servedModulePaths } from "../../provider/core/dynamic";
import { INPUT_KEYS } from "../../provider/gitops/input-keys";

/**
 * The module path each resource serializes into state (`lazyProvider(implementationPath(…))`)
 * is what every later refresh and destroy of that stack loads: a moved or renamed file must fail
 * here, not in an end-to-end run or in a user's `pulumi destroy`. (That the published package
 * resolves each built module by that deep path is test/unit/package's part.)
 */
const ROOT = path.resolve(__dirname, "../..");
const PREFIX = implementationPath("");

/** Paths in the state of stacks written by released versions: they must keep loading (a new resource adds its own). */
const RELEASED = [
  "databricks/access-token",
  "hopsworks/databricks-instance",
  "hopsworks/configured-cluster",
  "qualytics/databricks-datastore",
  "qualytics/databricks-enrichment-datastore",
].map(implementationPath);

const resourceClasses: Function[] = Object.values(pkg).filter((v: unknown) => typeof v === "function" && v.prototype instanceof pulumi.dynamic.Resource);

/** The source file behind a served path (`…/dist/provider/<file>` is built from `provider/<file>.ts`). */
const sourceOf = (modulePath: string) => path.join(ROOT, "provider", `${modulePath.slice(PREFIX.length)}.ts`);

describe("serialized module paths", () => {
  test("resources serialize exactly the paths released versions wrote", () => {
    expect(servedModulePaths().every((p) => p.startsWith(PREFIX))).toBe(true);
    expect([...servedModulePaths()].sort()).toEqual([...RELEASED].sort());
  });

  test("each path's module exports a provider and the resource class that serializes it, for every exported resource", () => {
    const classes = new Set<unknown>();
    for (const modulePath of servedModulePaths()) {
      const module = require(sourceOf(modulePath)) as Record<string, unknown>;
      const provider = module.provider as pulumi.dynamic.ResourceProvider | undefined;
      expect({ modulePath, create: typeof provider?.create, read: typeof provider?.read, delete: typeof provider?.delete }).toEqual({
        modulePath,
        create: "function",
        read: "function",
        delete: "function",
      });
      for (const value of Object.values(module)) if (resourceClasses.includes(value as Function)) classes.add(value);
    }
    expect(resourceClasses.length).toBeGreaterThanOrEqual(5);
    expect(resourceClasses.filter((c) => !classes.has(c)).map((c) => c.name)).toEqual([]);
  });

  test("the drift report knows the inputs of every resource", () => {
    expect(resourceClasses.map((c) => c.name).filter((name) => !INPUT_KEYS[name])).toEqual([]);
  });
});
