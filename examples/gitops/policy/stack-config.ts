import * as path from "path";

/**
 * The stack's config as the engine hands it to this policy pack (`{"ns:key": "value"}`).
 *
 * Up to Pulumi v3.274 the engine put it in the analyzer's environment (`PULUMI_CONFIG`). From
 * v3.276 it comes only in the analyzer's `ConfigureStack` call (NewPolicyAnalyzer,
 * pkg/resource/plugin/analyzer_plugin.go), and @pulumi/policy (1.21, the newest) answers that
 * call keeping only the stack's tags. So the pack keeps the config itself: importing this module
 * wraps the `configureStack` handler that @pulumi/policy registers on its gRPC server, which
 * therefore must happen before `new PolicyPack(...)` starts serving. Both sources are read, the
 * call's values winning, so the pack works with every CLI version.
 */
const received: Record<string, string> = {};

interface StackConfigureCall {
  request: { getConfigMap?: () => { forEach(fn: (value: string, key: string) => void): void } };
}
type Handler = (call: StackConfigureCall, callback: (...args: unknown[]) => void) => void;

function captureConfigureStack(): void {
  // The gRPC module @pulumi/policy itself loads (resolved from its folder, not this pack's).
  const policyDir = path.dirname(require.resolve("@pulumi/policy"));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const grpc = require(require.resolve("@grpc/grpc-js", { paths: [policyDir] })) as {
    Server: { prototype: { addService(service: unknown, implementation: Record<string, unknown>): void } };
  };
  const addService = grpc.Server.prototype.addService;
  grpc.Server.prototype.addService = function (service, implementation) {
    const configureStack = implementation?.configureStack as Handler | undefined;
    if (typeof configureStack !== "function") return addService.call(this, service, implementation);
    const wrapped: Handler = (call, callback) => {
      try {
        call.request.getConfigMap?.().forEach((value, key) => (received[key] = value));
      } catch {
        /* an engine without config in the call: PULUMI_CONFIG still applies */
      }
      configureStack(call, callback);
    };
    return addService.call(this, service, { ...implementation, configureStack: wrapped });
  };
}
captureConfigureStack();

export function stackConfig(): Record<string, string> {
  let fromEnv: Record<string, string> = {};
  try {
    const parsed: unknown = JSON.parse(process.env.PULUMI_CONFIG ?? "{}");
    if (parsed && typeof parsed === "object") fromEnv = parsed as Record<string, string>;
  } catch {
    /* not JSON: ignored, as the engine would never send that */
  }
  return { ...fromEnv, ...received };
}
