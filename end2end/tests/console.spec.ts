import { expect, test } from "./fixtures";
import {
  ADMIN,
  MANAGER,
  NORTHSIDE_OWNER,
  expectAccessible,
  hydrated,
  onSignInPage,
  openPerson,
  peopleTable,
  signIn,
  signInAndWait,
} from "./helpers";

test("the sign-in page is accessible and a wrong password gets one clear message", async ({ page }) => {
  // The first page everyone loads comes without the app's WebAssembly (WITHOUT_THE_APP).
  const code: string[] = [];
  page.on("request", (request) => {
    if (/\.(wasm|js)$/.test(new URL(request.url()).pathname)) code.push(request.url());
  });
  await page.goto("/login");
  await page.waitForLoadState("networkidle");
  expect(code).toEqual([]);
  await expectAccessible(page);
  await signIn(page, ADMIN, "not-the-password");
  await expect(page.getByRole("alert")).toHaveText("Email or password is incorrect.");
  await expect(page).toHaveURL(/\/login/);
  await signIn(page, "nobody@harbor.example", "not-the-password");
  await expect(page.getByRole("alert")).toHaveText("Email or password is incorrect.");
});

test("repeated wrong passwords are throttled with a clear message", async ({ page }) => {
  await page.goto("/login");
  for (let attempt = 1; attempt <= 10; attempt++) {
    await page.getByLabel("Email or username").fill(MANAGER);
    await page.getByLabel("Password").fill(`wrong-${attempt}`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert")).toHaveText("Email or password is incorrect.");
    await page.getByLabel("Password").fill("");
    await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
  }
  await page.getByLabel("Password").fill("brigade-demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("Too many failed sign-ins. Try again in 15 minutes.");
  await expect(page).toHaveURL(/\/login/);
});

test("pages need a session and sign-in returns to the page asked for", async ({ page }) => {
  await page.goto("/users?q=kim");
  await expect(page).toHaveURL(/\/login\?next=%2Fusers%3Fq%3Dkim/);
  await page.getByLabel("Email or username").fill(ADMIN);
  await page.getByLabel("Password").fill("brigade-demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/users\?q=kim/);
  await expect(peopleTable(page).getByRole("row")).toHaveCount(2); // header + Grace Kim
  await expect(peopleTable(page)).toContainText("grace.kim@harbor.example");
});

test("the Harbor owner sees Harbor's people, can page, and the page is accessible", async ({ page }) => {
  await signInAndWait(page, ADMIN);
  await expect(page.getByTestId("signed-in-as")).toHaveText("Avery Lindqvist");
  await expect(peopleTable(page)).toContainText("felix.grant@harbor.example");
  await expect(peopleTable(page)).not.toContainText("@northside.example");
  await expect(page.getByText("Showing 15 of 20 people")).toBeVisible();
  await expectAccessible(page);
  await page.getByRole("link", { name: "Next page" }).click();
  await expect(page).toHaveURL(/after=/);
  await expect(page.getByText("Showing 5 of 20 people")).toBeVisible();
  await page.getByRole("link", { name: "First page" }).click();
  await expect(page.getByText("Showing 15 of 20 people")).toBeVisible();
});

test("the outlet manager sees only people connected to their outlet", async ({ page }) => {
  await signInAndWait(page, MANAGER);
  await expect(peopleTable(page).locator("tbody tr")).toHaveCount(6);
  await expect(peopleTable(page)).toContainText("lena.moreau@harbor.example");
  await expect(peopleTable(page)).not.toContainText("grace.kim@harbor.example");
  await expect(page.getByLabel("Organization")).toHaveCount(0);
});

test("the Northside owner sees Northside's people only", async ({ page }) => {
  await signInAndWait(page, NORTHSIDE_OWNER);
  await expect(page.getByTestId("organization")).toHaveText("Northside Foods");
  await expect(peopleTable(page)).toContainText("jordan.blake@northside.example");
  await expect(peopleTable(page)).not.toContainText("dana.whitfield@harbor.example");
});

test("search filters as you type and keeps the filter in the URL", async ({ page }) => {
  await signInAndWait(page, ADMIN);
  await page.getByLabel("Search by name, email or employee number").pressSequentially("moreau");
  await expect(page).toHaveURL(/\?q=moreau/);
  await expect(peopleTable(page).locator("tbody tr")).toHaveCount(1);
  await expect(peopleTable(page)).toContainText("Lena Moreau");
  await page.getByLabel("Search by name, email or employee number").fill("no such person");
  await expect(page.getByTestId("no-people")).toBeVisible();
});

test("search works as a plain form without JavaScript", async ({ browser, server }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, baseURL: server.url });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Email or username").fill(ADMIN);
  await page.getByLabel("Password").fill("brigade-demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/users/);
  await page.getByLabel("Search by name, email or employee number").fill("kim");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/\/users\?q=kim/);
  await expect(peopleTable(page).locator("tbody tr")).toHaveCount(1);
  await context.close();
});

test("a row opens the person's record", async ({ page }) => {
  await signInAndWait(page, ADMIN);
  await openPerson(page, "Jules Martin");
  await expect(page.getByTestId("managed-by-brand")).toHaveText("User managed by Harbor Burger");
  await expect(page.getByTestId("connectors")).toContainText("Harbor Burger Pier 39");
  await expect(page.getByTestId("connectors")).toContainText("Staff");
  await expect(page.getByRole("heading", { name: "What they can do now" })).toBeVisible();
  await expect(page.getByTestId("effective")).toContainText("Harbor Burger Pier 39 (HB-001)");
  await expectAccessible(page);
});

test("a record outside the caller's scope is a 404", async ({ page, browser, server }) => {
  await signInAndWait(page, ADMIN);
  await openPerson(page, "Grace Kim");
  const recordUrl = page.url();

  const other = await browser.newContext({ baseURL: server.url });
  const managerPage = await other.newPage();
  await signInAndWait(managerPage, MANAGER);
  const response = await managerPage.goto(recordUrl);
  expect(response?.status()).toBe(404);
  await expect(managerPage.getByRole("heading", { name: "Not found" })).toBeVisible();
  await expect(managerPage.getByText("grace.kim@harbor.example")).toHaveCount(0);
  await expectAccessible(managerPage);
  await other.close();
});

test("a page loaded directly keeps its title while it hydrates", async ({ page }) => {
  await signInAndWait(page, ADMIN);
  // Every change of the document's title, timed, from the server's title until the wasm has
  // taken over. leptos_meta empties it for one tick when its title effect starts; the console
  // must not leave it empty until the page's own title comes back (axe: document-title).
  await page.addInitScript(() => {
    const changes: [number, string][] = [];
    (window as unknown as { titles: [number, string][] }).titles = changes;
    new MutationObserver(() => {
      const title = document.querySelector("title") ? document.title : "";
      if (title !== "" || changes.length > 0) changes.push([performance.now(), title]);
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  await page.goto("/users/00000000-0000-0000-0000-000000000000");
  await hydrated(page);
  const changes = await page.evaluate(() => (window as unknown as { titles: [number, string][] }).titles);
  const untitled = changes
    .map(([at, title], index) => (title.trim() === "" ? (changes[index + 1]?.[0] ?? Infinity) - at : 0))
    .filter((milliseconds) => milliseconds > 100);
  expect(changes.length).toBeGreaterThan(0);
  expect(untitled).toEqual([]);
  await expect(page).toHaveTitle("Not found · Brigade");
});

test("a person in two organizations switches with the keyboard", async ({ page }) => {
  await signInAndWait(page, ADMIN);
  await page.getByLabel("Organization").focus();
  await page.getByLabel("Organization").selectOption({ label: "Northside Foods" });
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await expect(peopleTable(page)).toContainText("jordan.blake@northside.example");
  await expect(page.getByLabel("Organization")).toHaveValue(/.+/);
  await expect(page.getByLabel("Organization").locator("option:checked")).toHaveText("Northside Foods");
});

test("signing in works by keyboard alone, and signing out ends the session", async ({ page }) => {
  await page.goto("/login");
  await expect(page.getByLabel("Email or username")).toBeFocused();
  await page.keyboard.type(MANAGER);
  await page.keyboard.press("Tab");
  await page.keyboard.type("brigade-demo");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/users/);
  await hydrated(page);
  await page.getByRole("button", { name: "Sign out" }).click();
  await onSignInPage(page);
  await page.goto("/users");
  await expect(page).toHaveURL(/\/login\?next=/);
});

test("an unknown page is a 404 and every control shows keyboard focus", async ({ page }) => {
  await signInAndWait(page, ADMIN);
  const response = await page.goto("/nowhere");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await expectAccessible(page);

  await page.goto("/login");
  await hydrated(page);
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press("Tab");
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
    expect(outline).not.toBe("none");
  }
});
