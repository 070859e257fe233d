import * as fs from "fs";
import * as path from "path";

/**
 * The README's sandbox testing example is the file the suite runs (jest's e2e project matches
 * examples/**\/*.test.ts), word for word, so the example users copy is one that passes.
 */
const REPO_ROOT = path.resolve(__dirname, "..", "..");
const EXAMPLE = "examples/sandbox-testing/token.test.ts";

test(`the README's testing example is ${EXAMPLE}`, () => {
  const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
  const link = readme.indexOf(`](${EXAMPLE})):`);
  expect(link).toBeGreaterThan(0);
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(link))?.[1];
  expect(block).toBe(fs.readFileSync(path.join(REPO_ROOT, EXAMPLE), "utf8"));
});
