import { test as base, expect } from "@playwright/test";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** A Brigade server of one test's own: the debug build (or `BRIGADE_BIN`, e.g. the release
 * build `make run` serves) on a fresh database, with the demo data
 * unless the test says `test.use({ demo: false })` (then `setupLink` is the first-run link). */
export type Server = { url: string; outbox: string; database: string; dataDir: string; setupLink?: string };

const repo = resolve(__dirname, "..", "..");

/** A port free now (the server is told it, so that its public address can name it). */
export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

/** `localhost`: the server's public address is `http://localhost:<its port>` (passkeys need a
 * host name: browsers refuse an IP address; single sign-on's return names the port) and the
 * test browses it there. */
async function startServer(
  demo: boolean,
  localhost: boolean,
  on?: { dataDir: string; args: string[] },
): Promise<{ server: Server; stop: () => Promise<void> }> {
  const port = localhost ? await freePort() : 0;
  const dataDir = on?.dataDir ?? mkdtempSync(join(tmpdir(), "brigade-e2e-"));
  const args = [...(demo ? ["serve", "--demo"] : ["serve"]), ...(on?.args ?? [])];
  const child = spawn(process.env.BRIGADE_BIN ?? `${repo}/target/debug/brigade`, args, {
    cwd: repo,
    env: {
      ...process.env,
      DATABASE_URL: `sqlite://${dataDir}/brigade.db`,
      BRIGADE_OUTBOX: `${dataDir}/outbox`,
      // Port 0: the server picks a free port and says which.
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      LEPTOS_SITE_ROOT: "target/site",
      RUST_LOG: "warn",
      ...(localhost ? { BRIGADE_PUBLIC_URL: `http://localhost:${port}` } : {}),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let errors = "";
  child.stderr.on("data", (chunk) => (errors += chunk));
  let output = "";
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`the server did not start:\n${output}\n${errors}`)), 30_000);
    child.stdout.on("data", (chunk) => {
      output += chunk;
      const serving = output.match(/Brigade is serving on (http:\/\/[\d.:]+)/);
      if (serving) {
        clearTimeout(timer);
        done(localhost ? serving[1].replace("127.0.0.1", "localhost") : serving[1]);
      }
    });
    child.on("exit", (code) => fail(new Error(`the server exited (${code}):\n${output}\n${errors}`)));
  });
  const stop = async () => {
    const exited = new Promise((done) => child.once("exit", done));
    child.kill("SIGINT");
    await exited;
    if (!on) rmSync(dataDir, { recursive: true, force: true });
  };
  const setupLink = output.match(/(http:\/\/[\d.:]+\/setup\/[A-Za-z0-9_-]+)/)?.[1];
  return { server: { url, outbox: `${dataDir}/outbox`, database: `sqlite://${dataDir}/brigade.db`, dataDir, setupLink }, stop };
}

/** A second server on `server`'s database whose clock runs `shift` ahead (`4d`, `36h`): what
 * the same data looks like later, without waiting. Stop it before the test ends. */
export async function serveLater(server: Server, shift: string) {
  return startServer(true, false, { dataDir: server.dataDir, args: ["--clock-shift", shift] });
}

/** Each test starts from its own database: no test depends on another's writes or order. */
export const test = base.extend<{ server: Server; demo: boolean; localhost: boolean }>({
  demo: [true, { option: true }],
  localhost: [false, { option: true }],
  server: async ({ demo, localhost }, use) => {
    const { server, stop } = await startServer(demo, localhost);
    await use(server);
    await stop();
  },
  baseURL: async ({ server }, use) => {
    await use(server.url);
  },
});

export { expect };
