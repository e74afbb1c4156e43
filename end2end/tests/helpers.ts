import { expect, type Page } from "./fixtures";
import AxeBuilder from "@axe-core/playwright";

export const DEMO_PASSWORD = "brigade-demo";
export const ADMIN = "admin@harbor.example";
export const MANAGER = "manager@harbor.example";
export const NORTHSIDE_OWNER = "owner@northside.example";

/** The console marks <body data-hydrated> once the wasm has taken over the page. A page's
 * debug chunk is megabytes of WASM to fetch and compile: on a loaded 2-core machine that once
 * took more than the 10 s other expectations get. */
export async function hydrated(page: Page) {
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1, { timeout: 20_000 });
}

/** The sign-in page is served without the app (src/console/mod.rs, WITHOUT_THE_APP): there is
 * no hydration to wait for. Reached from the app (signing out, a redirect), the app hands it to
 * the server: it is ready once the server's page has loaded. */
export async function onSignInPage(page: Page) {
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole("heading", { level: 1, name: "Sign in to Brigade" })).toBeVisible();
  await page.waitForLoadState("load");
}

export async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await page.goto("/login");
  await page.getByLabel("Email or username").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

export async function signInAndWait(page: Page, email: string) {
  await signIn(page, email);
  await expect(page).toHaveURL(/\/users/);
  await expect(page.getByRole("heading", { level: 1, name: "People" })).toBeVisible();
  await hydrated(page);
}

/** No serious or critical accessibility violations on the current page. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
  expect(serious).toEqual([]);
}

export function peopleTable(page: Page) {
  return page.getByTestId("people");
}

/** Opens the record of the one person named `name`, found by the people list's search. The
 * list filters as you type and keeps the rows it showed until the new ones arrive: the link is
 * clicked once the list holds that person alone, not in the rows it is about to replace. */
export async function openPerson(page: Page, name: string) {
  await page.goto("/users");
  await hydrated(page);
  await page.getByLabel("Search by name, email or employee number").fill(name);
  await expect(peopleTable(page).getByRole("row")).toHaveCount(2);
  await peopleTable(page).getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await hydrated(page);
}

/** The newest verification link mailed to `email` (the outbox holds .eml files). */
export function verificationLink(outbox: string, email: string): string {
  const link = mailedLink(outbox, email, "/verify/");
  if (!link) throw new Error(`no verification mail for ${email}`);
  return link;
}

/** The newest link starting with `prefix` mailed to `email`, if there is one yet. */
export function mailedLink(outbox: string, email: string, prefix: string): string | undefined {
  const { existsSync, readdirSync, readFileSync, statSync } = require("node:fs") as typeof import("node:fs");
  if (!existsSync(outbox)) return undefined;
  const mails = readdirSync(outbox)
    .filter((name) => name.endsWith(".eml"))
    .map((name) => `${outbox}/${name}`)
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
    .map((path) => readFileSync(path, "utf8").replace(/=\r?\n/g, "").replace(/=3D/g, "="))
    .filter((text) => text.includes(email) && text.includes(prefix));
  const escaped = prefix.replace(/\//g, "\\/");
  return mails[0]?.match(new RegExp(`${escaped}[A-Za-z0-9_-]+`))?.[0];
}

/** The code an authenticator app with the base32 `secret` shows `steps` time steps from now
 * (RFC 6238: HMAC-SHA-1, 30-second steps, six digits). */
export function totpCode(secret: string, steps = 0): string {
  const { createHmac } = require("node:crypto") as typeof import("node:crypto");
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of secret.replace(/=+$/, "").toUpperCase()) {
    bits += alphabet.indexOf(char).toString(2).padStart(5, "0");
  }
  const key = Buffer.from(bits.match(/.{8}/g)!.map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30) + steps));
  const digest = createHmac("sha1", key).update(counter).digest();
  const offset = digest[digest.length - 1] & 0xf;
  const value = (digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, "0");
}
