/**
 * Runs a compiled Pulumi program under Pulumi's mocks (`pulumi.runtime.setMocks`) in its own
 * process and prints every registered resource as JSON after `MOCK_RESULT_MARKER`. For programs
 * that need a provider plugin this machine cannot have (e.g. `@pulumi/databricks`): the program's
 * wiring is real, the providers are not.
 *
 * argv: <program module> <config JSON> <mocked outputs JSON: { "<type token>": { ...outputs } }>
 */
import * as pulumi from "@pulumi/pulumi";

export const MOCK_RESULT_MARKER = "@@mock-run-result@@";

export interface MockedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

async function main(): Promise<void> {
  const [modulePath, configJson = "{}", outputsJson = "{}"] = process.argv.slice(2);
  const fakeOutputs = JSON.parse(outputsJson) as Record<string, Record<string, unknown>>;
  // Mocks read stack config from PULUMI_CONFIG, set before the program builds its Config objects.
  process.env.PULUMI_CONFIG = configJson;
  const registered: MockedResource[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const { __provider: _ignored, ...inputs } = args.inputs as Record<string, unknown>;
        registered.push({ type: args.type, name: args.name, inputs });
        return { id: `${args.name}-id`, state: { ...inputs, ...(fakeOutputs[args.type] ?? {}) } };
      },
      call: () => ({}),
    },
    "mock-project",
    "mock-stack",
    false,
  );
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(modulePath);
  const program = typeof mod === "function" ? mod : mod.default;
  const outputs = await program();
  // Exports resolve only after every resource they depend on has been registered.
  const resolved = await new Promise((resolve) => pulumi.output(outputs).apply(resolve));
  process.stdout.write(`\n${MOCK_RESULT_MARKER}${JSON.stringify({ resources: registered, outputs: resolved })}\n`);
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`mock run failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
