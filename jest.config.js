/** @type {import('jest').Config} */
const tsJest = ["ts-jest", { diagnostics: false }];

module.exports = {
  // Type errors are caught once by `tsc --noEmit` in the test command; ts-jest only transpiles.
  transform: { "^.+\\.ts$": tsJest },
  testEnvironment: "node",
  projects: [
    {
      displayName: "unit",
      testMatch: ["<rootDir>/test/unit/**/*.test.ts", "<rootDir>/test/sandbox/**/*.test.ts"],
      transform: { "^.+\\.ts$": tsJest },
      testEnvironment: "node",
    },
    {
      displayName: "e2e",
      // examples/ holds users' own tests (the README shows them): they drive the real engine too.
      testMatch: ["<rootDir>/test/e2e/**/*.test.ts", "<rootDir>/examples/**/*.test.ts"],
      transform: { "^.+\\.ts$": tsJest },
      testEnvironment: "node",
    },
  ],
};
