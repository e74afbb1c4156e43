import { defineConfig } from "@playwright/test";

// Each test starts its own server (the debug build) on a fresh database with the demo data:
// see tests/fixtures.ts.
export default defineConfig({
  testDir: "./tests",
  // A whole scenario (sign in, several pages, each hydrated and checked by axe) on a 2-core
  // machine where two workers each run a debug server and a browser: 15-25 s measured, and
  // CI ran two of them past 30 s. A hung step still fails at the expect timeout below.
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  reporter: [["list"]],
  use: {
    trace: "off",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
});
