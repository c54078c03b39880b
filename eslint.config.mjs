// ESLint flat config: typescript-eslint's recommended type-aware rules plus a few security rules.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", ".local/", ".tmp/", "**/bin/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "no-eval": "error",
      "no-implied-eval": "error",
      "no-new-func": "error",
      eqeqeq: ["error", "always"],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
    },
  },
  {
    // Lambda code must never pull in the Pulumi SDK (it would be bundled into every function).
    files: ["runtime/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["@pulumi/*", "**/infra/**", "**/tools/**", "**/policypacks/**"], message: "runtime/ imports nothing of ours above it and never Pulumi." }] },
      ],
    },
  },
  {
    // Policies must hold for any program: they never import the program they judge.
    files: ["policypacks/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: ["**/infra/**", "**/runtime/**", "**/tools/**"], message: "Policies never import infra/, runtime/ or tools/." }] },
      ],
    },
  },
  {
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-unused-expressions": "off" },
  },
);
