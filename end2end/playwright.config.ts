import { defineConfig } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

// One server for the whole run: the debug build, on a fresh database with the demo data.
const port = Number(process.env.E2E_PORT ?? 3917);
// The config is evaluated again in each worker: reuse the directory the main process made.
const dataDir = process.env.E2E_DATA_DIR ?? mkdtempSync(join(tmpdir(), "brigade-e2e-"));
process.env.E2E_DATA_DIR = dataDir;
const repo = resolve(__dirname, "..");

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
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
  webServer: {
    command: `${repo}/target/debug/brigade serve --demo`,
    cwd: repo,
    url: `http://127.0.0.1:${port}/login`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      DATABASE_URL: `sqlite://${dataDir}/brigade.db`,
      BRIGADE_OUTBOX: `${dataDir}/outbox`,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: "target/site",
    },
  },
});
