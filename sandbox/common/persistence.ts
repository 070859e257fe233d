import * as fs from "fs";
import * as path from "path";

/**
 * A JSON document kept on disk, written atomically (temp file + rename) so that a sandbox
 * killed mid-write never leaves a torn state file behind.
 */
export class JsonFile<T> {
  constructor(private readonly filePath: string | undefined) {}

  load(): T | undefined {
    if (!this.filePath || !fs.existsSync(this.filePath)) return undefined;
    return JSON.parse(fs.readFileSync(this.filePath, "utf8")) as T;
  }

  save(value: T): void {
    if (!this.filePath) return;
    fs.mkdirSync(path.dirname(this.filePath), { recursive: true });
    const tmp = `${this.filePath}.${process.pid}.${Date.now()}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(value));
    fs.renameSync(tmp, this.filePath);
  }
}
