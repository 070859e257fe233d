import type * as pulumi from "@pulumi/pulumi";
import { redact } from "./redact";
import { settings, useStackConfig } from "./settings";

type Provider = pulumi.dynamic.ResourceProvider;

/**
 * Module path by which the provider process loads a resource's lifecycle: the published package
 * path, resolved from the Pulumi program's folder at run time.
 */
export const implementationPath = (file: string): string => `pulumi-databricks-integrations/dist/provider/${file}`;

/**
 * Every module path handed to {@link lazyProvider} in this process: what resources serialize
 * into state (a unit test resolves each one, so a moved file fails there).
 */
const servedModules = new Set<string>();
export const servedModulePaths = (): readonly string[] => [...servedModules];

/**
 * The provider object handed to `dynamic.Resource`. The engine serializes it into state by
 * closure capture; this one captures nothing but a module path, so no credential, no client and
 * no large code lands in state, and refresh/destroy of old stacks run the installed package's
 * current lifecycle code (which therefore reads every earlier state shape). Each method loads
 * the module and calls the `provider` it exports.
 */
export function lazyProvider(modulePath: string): Provider {
  servedModules.add(modulePath);
  // Everything below runs in the provider process after deserialization. Only `modulePath`
  // and `require` may be referenced here: they are all the closure captures.
  const load = (): Provider => require(modulePath).provider;
  return {
    configure: (req) => load().configure!(req),
    check: (olds, news) => load().check!(olds, news),
    diff: (id, olds, news) => load().diff!(id, olds, news),
    create: (inputs) => load().create(inputs),
    read: (id, props) => load().read!(id, props),
    update: (id, olds, news) => load().update!(id, olds, news),
    delete: (id, props) => load().delete!(id, props),
  };
}

/**
 * Wraps a resource's lifecycle so every method redacts secrets from what it throws, and
 * `configure` records the stack config and parses the provider's settings.
 *
 * `configure` never throws: the engine's dynamic-provider host caches the provider before it
 * awaits `configure`, so a throw would fail only the first call and let the next ones run
 * without the stack config (no endpoint override, no credentials). A bad setting is instead
 * reported by every method, starting with the first call after configure, as a
 * `ConfigurationError` that names the key.
 */
export function definedProvider(impl: Omit<Provider, "configure">): Provider {
  const guard =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        settings(); // a bad setting fails every call, naming its key
        return await fn(...args);
      } catch (err) {
        throw sanitizeError(err);
      }
    };
  const create = impl.create;
  const read = impl.read;
  const update = impl.update;
  const check = impl.check;
  return {
    configure: async (req) => useStackConfig(req.config),
    check: check && guard(async (olds, news) => jsonOnly(await check(olds, news))),
    diff: impl.diff && guard(impl.diff),
    create: guard(async (inputs) => jsonOnly(await create(inputs))),
    read: read && guard(async (id, props) => jsonOnly(await read(id, props))),
    update: update && guard(async (id, olds, news) => jsonOnly(await update(id, olds, news))),
    delete: impl.delete && guard(impl.delete),
  };
}

/**
 * The inputs `read` hands back after a refresh (the dynamic-provider contract since v3.216): each
 * declared input (`keys`: the `inputKeys` of its field table, see fields.ts) with the value the
 * refreshed state holds for it, which is the live one wherever the service reports it. The
 * engine stores them as the resource's inputs, so the next preview compares the program with
 * what is live: its own diff (`pulumi preview --diff`, the PR comment) shows each drifted input
 * with the live and the declared value, secrets masked, and what `up` will write. Keys without a
 * value are left out, as the engine leaves out inputs a program does not set.
 */
export function liveInputs(keys: readonly string[], refreshed: object): Record<string, unknown> {
  const props = refreshed as Record<string, unknown>;
  return Object.fromEntries(keys.filter((k) => props[k] !== undefined).map((k) => [k, props[k]]));
}

/**
 * The provider host packs results into protobuf Structs, which cannot hold `undefined`: one
 * stray `undefined` output fails the call after the object was made. Results are plain JSON, so
 * a JSON round trip drops those keys and changes nothing else.
 */
const jsonOnly = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * Errors leave the provider as plain `Error`s with redacted messages and no stack that could
 * echo request data. A partial failure (core/recovery's `partialFailure`: `id`, `properties`,
 * `reasons`) keeps those fields so the engine records the object and the next `up` updates it
 * instead of creating a duplicate.
 */
function sanitizeError(err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err);
  const clean = new Error(redact(message));
  const partial = err as { id?: unknown; properties?: unknown; reasons?: unknown };
  if (partial && typeof partial === "object" && partial.id !== undefined) {
    // The engine packs `properties` into a protobuf Struct, which cannot hold `undefined`
    // (packing would throw and the RPC would never answer): keep only JSON values.
    const properties = jsonOnly(partial.properties ?? {});
    // The engine prints the reasons of a partial failure, not its message ("resource init
    // failed" when there are none), so the message goes there too.
    const reasons = Array.isArray(partial.reasons) && partial.reasons.length ? partial.reasons.map((r) => redact(String(r))) : [clean.message];
    Object.assign(clean, { id: partial.id, properties, reasons });
  }
  clean.stack = clean.message;
  return clean;
}
