import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/global-setup.ts"],
    // real SMTP servers, SQLite files and Chromium: give them room, and keep the 2-core CI machine calm
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // the tests written before the CLI spoke Russian pin its English words; tests/cli/language.test.ts
    // and the catalogue tests choose their language themselves
    env: { RASSYLKA_LANG: "en" },
    maxWorkers: 2,
  },
});
