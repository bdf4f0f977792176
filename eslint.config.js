// @ts-check
import tseslint from "typescript-eslint";

/** Modules that do I/O, read ambient state, or belong to a shell (GitHub, Actions). */
const ioModules = [
  "fs", "fs/promises", "child_process", "net", "http", "https", "os", "process",
  "worker_threads", "dgram", "dns", "tls", "readline", "cluster",
].flatMap((name) => [name, `node:${name}`]);

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", ".tools/**", ".example-org/**", "coverage/**"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    // app/core decides; it never does I/O. Facts come in, plans and results go out.
    files: ["app/core/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        paths: ioModules.map((name) => ({ name, message: "app/core is pure: take facts as parameters; do I/O in app/load, app/cli or app/github." })),
        patterns: [
          { group: ["probot", "@octokit/*", "@actions/*", "octokit"], message: "app/core is pure: GitHub and Actions belong in the shells." },
          { group: ["**/load/**", "**/cli/**", "**/github/**", "**/handlers/**"], message: "app/core must not depend on the shells." },
        ],
      }],
      "no-restricted-globals": ["error",
        { name: "process", message: "app/core is pure: pass configuration in as facts." },
        { name: "fetch", message: "app/core is pure: do HTTP in a shell." },
      ],
      "no-restricted-properties": ["error",
        { object: "Date", property: "now", message: "app/core is pure: take the time as a parameter." },
        { object: "Math", property: "random", message: "app/core is pure: take randomness as a parameter." },
      ],
    },
  },
);
