import * as pulumi from "@pulumi/pulumi";

/**
 * Each resource declares its fields once, here: how a change to each input is carried out,
 * which inputs and outputs are secret, and which outputs it has. Its diff, check's secret
 * inputs, `additionalSecretOutputs`, the constructor's output placeholders and the input keys
 * (read's inputs, the drift report) are all derived from that one table.
 */

/** What a change to an input takes. */
export type Change =
  /** A new object replaces the old one: the service cannot change it in place. */
  | "replace"
  /** `update` changes the object in place. */
  | "update"
  /**
   * Not a change by itself: read when the object is created (`adopt`, `takeOver`) or set by the
   * constructor and fixed per resource (`claim`); a new value is written by the next update.
   */
  | "none";

/**
 * An input's entry: what a change to it takes, after `secret ` for a secret input (stored
 * encrypted; check's failures never name it with its value).
 */
export type InputField = Change | `secret ${Change}`;

/** An output's entry: `secret` for one the engine must keep encrypted. */
export type OutputField = "plain" | "secret";

const changeOf = (field: InputField) => field.replace(/^secret /, "") as Change;

/** Whether an input's old and new values are the same to the diff. */
export type SameValue = (old: unknown, news: unknown) => boolean;

/** The diff's one comparison: plain JSON values, absent (`undefined`) the same as `null`. */
export const sameValue: SameValue = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The derived part of a diff: resource-specific rules add to it. */
export interface FieldDiff {
  /** The changed inputs that replace the object, in the schema's order. */
  replaces: string[];
  /** Whether any input that replaces or updates changed. */
  changes: boolean;
}

/** A resource's field table and everything derived from it. */
export class ResourceFields<I extends string, O extends string> {
  /** The inputs check must never print (the 3rd argument of `checkWithSchema`). */
  readonly secretInputs: readonly I[];
  /** What the engine must keep secret in state: secret inputs (state echoes inputs) and secret outputs. */
  readonly secretOutputs: readonly string[];
  /** `output: undefined` for every output, so the constructor registers them all. */
  readonly outputPlaceholders: { readonly [K in O]: undefined };

  constructor(
    /** Every input, in the schema's order (read's inputs, the drift report's keys). */
    readonly inputKeys: readonly I[],
    readonly inputs: { readonly [K in I]: InputField },
    readonly outputs: { readonly [K in O]: OutputField },
  ) {
    const outputKeys = Object.keys(outputs) as O[];
    this.secretInputs = inputKeys.filter((k) => inputs[k].startsWith("secret "));
    this.secretOutputs = [...this.secretInputs, ...outputKeys.filter((k) => outputs[k] === "secret")];
    this.outputPlaceholders = Object.fromEntries(outputKeys.map((k) => [k, undefined])) as { [K in O]: undefined };
  }

  /**
   * The inputs that changed between state and program: those that replace, and whether any
   * change at all. `same` overrides the comparison for single inputs (a default that equals
   * omitting it, a normalised form); `none` inputs are never compared.
   */
  diff(olds: { readonly [K in I]?: unknown }, news: { readonly [K in I]?: unknown }, same: { readonly [K in I]?: SameValue } = {}): FieldDiff {
    const changed = this.inputKeys.filter((k) => changeOf(this.inputs[k]) !== "none" && !(same[k] ?? sameValue)(olds[k], news[k]));
    return { replaces: changed.filter((k) => changeOf(this.inputs[k]) === "replace"), changes: changed.length > 0 };
  }

  /**
   * What a constructor registers: each input as `args` gives it (a secret one wrapped in
   * `pulumi.secret`), or as the constructor sets it (`own`: program-time defaults, markers),
   * and a placeholder for every output. Every key of `args` must be an input.
   */
  resourceInputs<A extends { readonly [K in keyof A]: K extends I ? unknown : never }>(args: A, own: { readonly [K in I]?: unknown } = {}): pulumi.Inputs {
    const given = args as Record<string, unknown>;
    const inputs = this.inputKeys.map((k) => {
      const value = k in own ? own[k] : given[k];
      return [k, value !== undefined && this.secretInputs.includes(k) ? pulumi.secret(value) : value];
    });
    return { ...Object.fromEntries(inputs), ...this.outputPlaceholders };
  }

  /** The resource options with this resource's secret outputs added to the caller's. */
  withSecretOutputs(opts: pulumi.CustomResourceOptions | undefined): pulumi.CustomResourceOptions {
    return { ...opts, additionalSecretOutputs: [...this.secretOutputs, ...(opts?.additionalSecretOutputs ?? [])] };
  }
}

/** The input keys of a zod object schema. */
type SchemaKeys<S extends { shape: object }> = keyof S["shape"] & string;

/**
 * Starts the field table of the resource whose input schema is `schema`: one entry for each of
 * its inputs (a missing or misspelt one is a type error), then (`withOutputs<Outputs>`) one for
 * each output, i.e. each key of the state type `Outputs` that is not an input.
 */
export function fieldTable<S extends { shape: object }>(schema: S, inputs: { readonly [K in SchemaKeys<S>]: InputField }) {
  const inputKeys = Object.keys(schema.shape) as SchemaKeys<S>[];
  return {
    withOutputs: <Outputs>(outputs: { readonly [K in Exclude<keyof Outputs, SchemaKeys<S>> & string]-?: OutputField }) =>
      new ResourceFields<SchemaKeys<S>, Exclude<keyof Outputs, SchemaKeys<S>> & string>(inputKeys, inputs, outputs),
  };
}
