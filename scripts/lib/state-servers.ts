import { spawn, spawnSync, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { REPO_ROOT } from "./repo-root";

/**
 * Private team-backend servers for the engine tests and the benchmark: a PostgreSQL made with `initdb` and an
 * S3-compatible server (moto's, from the project's Python environment), each on a free loopback
 * port, each stopped and deleted by `close`. Neither is ever skipped: when one cannot be had, the
 * test fails and says how to get it.
 */
export interface StateServer {
  /** The engine's backend URL (`pulumi login <url>`, `PULUMI_BACKEND_URL`). */
  backendUrl: string;
  /** Extra environment the engine needs for this backend (S3 credentials). */
  env: Record<string, string>;
  /** Everything the backend holds, as text: what the secret audit searches (the state is not in files here). */
  contents(): Promise<string>;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The folder holding PostgreSQL's server programs (`initdb`, `pg_ctl`), newest major first. */
function postgresBinDir(): string {
  const onPath = spawnSync("sh", ["-c", "command -v initdb"], { encoding: "utf8" }).stdout.trim();
  // Debian links a few of them into PATH: the rest (createdb, psql) sit beside the real one.
  if (onPath) return path.dirname(fs.realpathSync(onPath));
  const root = "/usr/lib/postgresql";
  const majors = fs.existsSync(root) ? fs.readdirSync(root).filter((d) => fs.existsSync(path.join(root, d, "bin", "initdb"))) : [];
  majors.sort((a, b) => Number(b) - Number(a));
  if (!majors.length) {
    throw new Error(
      "PostgreSQL's initdb was found neither on PATH nor in /usr/lib/postgresql/*/bin: install it (apt-get install postgresql) to run the team-backend tests",
    );
  }
  return path.join(root, majors[0]!, "bin");
}

/**
 * PostgreSQL refuses to run as root: as root, the server runs as the `postgres` system user
 * (which the Debian package creates) in a data folder that user owns.
 */
function asServerUser(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, args];
  return ["runuser", ["-u", "postgres", "--", command, ...args]];
}

function run(command: string, args: string[], what: string): void {
  const [cmd, argv] = asServerUser(command, args);
  const r = spawnSync(cmd, argv, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}): ${r.stderr || r.stdout || r.error}`);
}

/** A private PostgreSQL on a free port, with a database `pulumi` for the engine's state. */
export async function startPostgres(): Promise<StateServer> {
  const bin = postgresBinDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pdi-postgres-"));
  const data = path.join(dir, "data");
  fs.mkdirSync(data);
  if (process.getuid?.() === 0) {
    const ids = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
    if (ids.status !== 0) throw new Error("running as root, PostgreSQL needs the `postgres` system user (apt-get install postgresql makes it)");
    const uid = Number(ids.stdout.trim());
    const gid = Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim());
    fs.chmodSync(dir, 0o755);
    fs.chownSync(data, uid, gid);
  }
  const port = await freePort();
  run(path.join(bin, "initdb"), ["-D", data, "-U", "pdi", "--auth=trust", "-E", "UTF8", "--no-sync"], "initdb");
  run(
    path.join(bin, "pg_ctl"),
    ["-D", data, "-l", path.join(data, "server.log"), "-w", "-t", "60", "-o", `-p ${port} -k ${data} -c listen_addresses=127.0.0.1 -c fsync=off`, "start"],
    "pg_ctl start",
  );
  run(path.join(bin, "createdb"), ["-h", "127.0.0.1", "-p", String(port), "-U", "pdi", "pulumi"], "createdb");
  return {
    backendUrl: `postgres://pdi@127.0.0.1:${port}/pulumi?sslmode=disable`,
    env: {},
    async contents() {
      // The engine's table (pkg/backend/diy/postgres/schema.sql): one row per state object, history
      // included, each stored as {"data": <base64 of the object>}.
      const sql = "SELECT key || ' ' || (data->>'data') FROM pulumi_state";
      const r = spawnSync(path.join(bin, "psql"), ["-h", "127.0.0.1", "-p", String(port), "-U", "pdi", "-d", "pulumi", "-At", "-c", sql], {
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
      });
      if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
      return r.stdout
        .split("\n")
        .filter(Boolean)
        .map((row) => {
          const [key, data = ""] = row.split(" ");
          return `${key}\n${Buffer.from(data, "base64").toString("utf8")}`;
        })
        .join("\n");
    },
    async close() {
      try {
        run(path.join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"], "pg_ctl stop");
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** moto's S3 server on a free port, with one bucket for the engine's state. */
export async function startS3(bucket = "pulumi-state"): Promise<StateServer> {
  const server = path.join(REPO_ROOT, ".venv", "bin", "moto_server");
  if (!fs.existsSync(server)) throw new Error(`${server} is missing: run \`bash scripts/python-clients.sh\` (the README's test command does)`);
  const port = await freePort();
  const child: ChildProcess = spawn(server, ["-H", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited ${child.exitCode}: ${stderr}`);
    try {
      const res = await fetch(`${base}/${bucket}`, { method: "PUT" });
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`moto_server did not answer on ${base} within 60 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    backendUrl: `s3://${bucket}?endpoint=${encodeURIComponent(base)}&s3ForcePathStyle=true&region=us-east-1`,
    // moto accepts any credentials; the engine's AWS SDK insists on having some.
    env: { AWS_ACCESS_KEY_ID: "pdi-test", AWS_SECRET_ACCESS_KEY: "pdi-test-secret", AWS_REGION: "us-east-1" },
    async contents() {
      // Read as the engine reads it: a signed S3 client (boto3, which moto's server brings along).
      const script = [
        "import boto3, sys",
        `s3 = boto3.client("s3", endpoint_url="${base}", region_name="us-east-1", aws_access_key_id="pdi-test", aws_secret_access_key="pdi-test-secret")`,
        `for page in s3.get_paginator("list_objects_v2").paginate(Bucket="${bucket}"):`,
        "    for o in page.get('Contents', []):",
        `        sys.stdout.write(o["Key"] + "\\n" + s3.get_object(Bucket="${bucket}", Key=o["Key"])["Body"].read().decode("utf-8", "replace") + "\\n")`,
      ].join("\n");
      const r = spawnSync(path.join(REPO_ROOT, ".venv", "bin", "python"), ["-c", script], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
      if (r.status !== 0) throw new Error(`reading the S3 bucket failed: ${r.stderr}`);
      return r.stdout;
    },
    async close() {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once("exit", r)));
    },
  };
}
