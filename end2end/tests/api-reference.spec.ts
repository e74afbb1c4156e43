import { expect, test } from "./fixtures";
import { ADMIN, signInAndWait } from "./helpers";

test("the API reference renders every group of operations with nothing fetched from elsewhere", async ({ page, server }) => {
  const elsewhere: string[] = [];
  await page.route("**/*", (route) => {
    if (new URL(route.request().url()).origin === new URL(server.url).origin) {
      return route.continue();
    }
    elsewhere.push(route.request().url());
    return route.abort();
  });
  await page.goto("/api/docs/");
  await expect(page.getByRole("heading", { name: /Brigade API/ })).toBeVisible();
  for (const tag of ["users", "connectors", "roles", "outlets"]) {
    await expect(page.locator(`#operations-tag-${tag}`)).toBeVisible();
  }
  await expect(page.getByText("/users/{id}").first()).toBeVisible();
  expect(elsewhere).toEqual([]);
});

test("a console page hydrates under its Content-Security-Policy with no violation", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Content-Security-Policy/i.test(message.text())) {
      violations.push(message.text());
    }
  });
  await signInAndWait(page, ADMIN);
  await page.goto("/connectors");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  expect(violations).toEqual([]);
});
