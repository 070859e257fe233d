import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { connectionSnippet, type NotebookConnection } from "../../provider/hopsworks/notebook";
import { clientOf, defaultClientLibrary, releaseFamily, setsMetastore } from "../../provider/hopsworks/release-family";

/**
 * The notebook cell each release family ends up with, bound to the real client's signature:
 * the function (`hsfs.connection`, `hopsworks.login`) is read from the client's source as PyPI
 * ships it (`.venv/sources/<name>-<version>/`, made by scripts/python-clients.sh), turned into a
 * stub with the same parameters (body dropped, nothing imported), and the snippet's call is run
 * against it: an unknown keyword or too many positional arguments is Python's own TypeError.
 */
const repo = path.resolve(__dirname, "../..");
const python = process.env.PDI_PYTHON ?? path.join(repo, ".venv/bin/python");
const sources = process.env.PDI_PY_SOURCES ?? path.join(repo, ".venv/sources");

/** The client source each family's default client library resolves to (scripts/python-sources.txt). */
const CASES = [
  { version: "2.2.0", source: "hsfs-2.2.22", file: "hsfs/connection.py", fn: "connection" },
  { version: "3.6.0", source: "hsfs-3.4.8", file: "hsfs/connection.py", fn: "connection" },
  { version: "3.7.1", source: "hsfs-3.7.9", file: "hsfs/connection.py", fn: "connection" },
  { version: "4.2.1", source: "hopsworks-4.2.10", file: "hopsworks/__init__.py", fn: "login" },
];

const BIND = String.raw`
import ast, sys
src_path, fn_name, snippet = sys.argv[1], sys.argv[2], sys.stdin.read()
tree = ast.parse(open(src_path).read())
defs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == fn_name]
if not defs: sys.exit("no def " + fn_name)
d = defs[0]
d.decorator_list = []
d.returns = None
for a in d.args.posonlyargs + d.args.args + d.args.kwonlyargs: a.annotation = None
if d.args.args and d.args.args[0].arg in ("cls", "self"): d.args.args = d.args.args[1:]
# Defaults may name module constants: any default will do for binding.
d.args.defaults = [ast.Constant(None) for _ in d.args.defaults]
d.args.kw_defaults = [None if k is None else ast.Constant(None) for k in d.args.kw_defaults]
d.body = [ast.Return(ast.Constant(None))]
d.name = "stub"
ns = {}
exec(compile(ast.fix_missing_locations(ast.Module([d], [])), "<stub>", "exec"), ns)
calls = [n for n in ast.walk(ast.parse(snippet)) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == fn_name]
if len(calls) != 1: sys.exit("expected one call of " + fn_name)
call = calls[0]
args = [ast.literal_eval(a) for a in call.args]
kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
try:
    ns["stub"](*args, **kwargs)
except TypeError as e:
    print("TypeError: " + str(e)); sys.exit(0)
print("ok")
`;

function bind(source: string, file: string, fn: string, snippet: string): string {
  if (!fs.existsSync(python) || !fs.existsSync(path.join(sources, source))) {
    throw new Error(`the Python client sources are missing (${path.join(sources, source)}): run \`bash scripts/python-clients.sh\``);
  }
  return execFileSync(python, ["-c", BIND, path.join(sources, source, file), fn], { input: snippet, encoding: "utf8" }).trim();
}

const connectionFor = (version: string, extra: Partial<NotebookConnection> = {}): NotebookConnection => ({
  host: "hopsworks.example.com",
  port: 443,
  project: "fraud_detection",
  secretsStore: "secretsmanager",
  hostnameVerification: true,
  client: clientOf(defaultClientLibrary(version)).package,
  ...(setsMetastore(releaseFamily(version)) ? {} : { engine: "spark-no-metastore" }),
  ...extra,
});

describe("the notebook snippet binds to the real client's signature, per release family", () => {
  test.each(CASES)("Hopsworks $version → $source $fn(...)", ({ version, source, file, fn }) => {
    const snippet = connectionSnippet(connectionFor(version));
    expect(snippet).toContain(`.${fn}(`);
    expect(bind(source, file, fn, snippet)).toBe("ok");
    // With an API key file, `local` secrets store.
    const local = connectionSnippet(connectionFor(version, { secretsStore: "local", apiKeyFile: "/dbfs/FileStore/hopsworks/api-key" }));
    expect(local).toContain('api_key_file="/dbfs/FileStore/hopsworks/api-key"');
    expect(bind(source, file, fn, local)).toBe("ok");
  });

  test("the 4.x client has no secrets_store: the cell the resource used to generate fails there", () => {
    const old = connectionSnippet({ host: "h", port: 443, project: "p", secretsStore: "secretsmanager", hostnameVerification: true }).replace(
      "hsfs.connection(",
      "hopsworks.login(",
    );
    expect(bind("hopsworks-4.2.10", "hopsworks/__init__.py", "login", old)).toMatch(/^TypeError: .*(positional|secrets_store)/);
  });
});
