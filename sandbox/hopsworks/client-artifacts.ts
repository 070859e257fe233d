import { createCipheriv, createHash } from "crypto";

/**
 * What configuring a cluster uploads to DBFS: the client archive (HopsFS and HSFS jars, the Hive
 * metastore client), the init script that installs it, and a project user's key material. The
 * bytes are fake but deterministic, and sized like the real ones where the size matters (the
 * archive needs several 1 MiB blocks).
 */

/** ~2.5 MiB: uploaded in three `dbfs/add-block` calls. */
export const CLIENT_ARCHIVE_BYTES = 2.5 * 1024 * 1024;

/** The layout of everything under `/hopsworks/<addr>/` on DBFS (`<addr>` the internal address). */
export function dbfsLayout(addr: string, projectName: string, username: string) {
  const projectUser = `${projectName}__${username}`;
  const dir = `/hopsworks/${addr}/${projectUser}`;
  return {
    clientDir: `/hopsworks/${addr}`,
    archive: `/hopsworks/${addr}/clients.tar.gz`,
    dir,
    initScript: `${dir}/initScript.sh`,
    keyStore: `${dir}/${projectUser}__kstore.jks`,
    trustStore: `${dir}/${projectUser}__tstore.jks`,
    certKey: `${dir}/${projectUser}__cert.key`,
  };
}

/** A deterministic byte stream (AES-256-CTR keystream keyed by `seed`). */
function streamOf(seed: string, length: number): Buffer {
  const key = createHash("sha256").update(seed).digest();
  const cipher = createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(length)), cipher.final()]);
}

const archives = new Map<string, Buffer>();

/** The client archive of a Hopsworks version: a gzip header, then opaque bytes. */
export function clientArchive(version: string): Buffer {
  let archive = archives.get(version);
  if (!archive) {
    const gzipHeader = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]);
    archive = Buffer.concat([gzipHeader, streamOf(`hopsworks-client-${version}`, CLIENT_ARCHIVE_BYTES - gzipHeader.length)]);
    archives.set(version, archive);
  }
  return archive;
}

const files = new Map<string, Buffer>();

/** One file of a release's client folder (family B and C): opaque bytes of its size. */
export function clientFile(version: string, name: string, bytes: number): Buffer {
  const key = `${version}/${name}`;
  let file = files.get(key);
  if (!file) {
    file = streamOf(`hopsworks-client-${key}`, bytes);
    files.set(key, file);
  }
  return file;
}

/** A JKS store for one project user: the JKS magic and version, then opaque bytes. */
export function keyStore(kind: "kstore" | "tstore", host: string, projectName: string, username: string): Buffer {
  const jksHeader = Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0x00, 0x00, 0x00, 0x02]);
  return Buffer.concat([jksHeader, streamOf(`${kind}:${host}:${projectName}__${username}`, 2040)]);
}

/**
 * Family B's init script (7e7a365d4): only unpacks Hive for the metastore client; from 3.5 it
 * starts with `sleep 10` for the DBFS client to come up.
 */
export function hiveInitScript(addr: string, version: string): string {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  const sleeps = major > 3 || (major === 3 && minor >= 5);
  return [
    "#!/bin/sh",
    ...(sleeps ? ["sleep 10"] : []),
    `tar -xf /dbfs/hopsworks/${addr}/apache-hive-*-bin.tar.gz -C /tmp`,
    "mv -f /tmp/apache-hive-*-bin /hopsworks_metastore_jar",
    `chmod -R +xr /dbfs/hopsworks/${addr}`,
    "",
  ].join("\n");
}

/** Family A's init script: unpacks the archive and puts the jars where Spark and the metastore client look. */
export function initScript(addr: string, version: string, projectName: string, username: string): string {
  return [
    "#!/bin/bash",
    `# Installed by Hopsworks ${version} (${addr}) for ${projectName}__${username}.`,
    "set -euo pipefail",
    "",
    `ARCHIVE=/dbfs/hopsworks/${addr}/clients.tar.gz`,
    "WORK=/tmp/hopsworks-client",
    "",
    'rm -rf "$WORK" && mkdir -p "$WORK"',
    'tar -xzf "$ARCHIVE" -C "$WORK"',
    "",
    "# HopsFS and HSFS client jars on Spark's classpath.",
    'cp "$WORK"/client/*.jar /databricks/jars/',
    "",
    "# The Hive metastore client named by spark.sql.hive.metastore.jars.",
    "mkdir -p /hopsworks_metastore_jar/lib",
    'cp "$WORK"/client/apache-hive-*/lib/*.jar /hopsworks_metastore_jar/lib/',
    "",
  ].join("\n");
}
