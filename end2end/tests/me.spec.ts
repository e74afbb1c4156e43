import { expect, test } from "./fixtures";
import { ADMIN, DEMO_PASSWORD, expectAccessible, hydrated, signInAndWait } from "./helpers";

test("an owner creates an API client, copies its token, uses it, revokes it, and it stops working", async ({ page, context, server, request }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
  await signInAndWait(page, ADMIN);
  await page.getByRole("link", { name: "Security & Permissions" }).click();
  await page.getByRole("link", { name: "API clients" }).click();
  await expect(page).toHaveURL(/tab=clients/);
  await hydrated(page);
  await page.getByRole("button", { name: "Create client" }).click();
  await expect(page.locator("#client-name-error")).toContainText("Give the client a name");
  await page.getByLabel("Name", { exact: true }).fill("Kitchen display");
  await page.getByLabel("Role", { exact: true }).selectOption({ label: "Integration (L, partner role api)" });
  await page.getByRole("button", { name: "Create client" }).click();
  await expect(page.getByTestId("issued")).toContainText("shown only this once");
  await page.getByRole("button", { name: "Copy token" }).click();
  await expect(page.getByRole("button", { name: "Copied" })).toBeVisible();
  const token = await page.evaluate(() => navigator.clipboard.readText());
  expect(token).toMatch(/^brg_/);
  await expect(page.getByTestId("token")).toHaveText(token);
  await expectAccessible(page);

  const me = await request.get(`${server.url}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
  expect(me.status()).toBe(200);
  const body = await me.json();
  expect(body.login).toBe("Kitchen display");
  expect(body.partner_role).toBe("api");

  const row = page.getByTestId("api-client-row").filter({ hasText: "Kitchen display" });
  await expect(row).toContainText("Avery Lindqvist");
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("token")).toHaveCount(0); // never shown again
  await expect(row).not.toContainText("Never"); // last used is recorded
  await row.getByRole("button", { name: "Revoke Kitchen display" }).click();
  await expect(row).toContainText("Revoked");
  const after = await request.get(`${server.url}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
  expect(after.status()).toBe(401);
});

test("a person without console permissions lands on their own page and changes their name there", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email or username").fill("lena.moreau@harbor.example");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/me$/);
  await expect(page.getByRole("heading", { level: 1, name: "My profile" })).toBeVisible();
  await hydrated(page);
  await expect(page.getByRole("link", { name: "People" })).toHaveCount(0);
  await expect(page.getByTestId("my-organizations")).toContainText("Staff — Harbor Burger Pier 39");
  await expect(page.getByTestId("my-outlets")).toHaveText("Harbor Burger Pier 39 (HB-001)");
  await expectAccessible(page);
  await page.getByLabel("Last name").fill("Moreau-Blanc");
  await page.getByRole("button", { name: "Save name" }).click();
  await expect(page.getByTestId("name-saved")).toHaveText("Saved.");
  await page.reload();
  await expect(page.getByLabel("Last name")).toHaveValue("Moreau-Blanc");
  await expect(page.getByTestId("signed-in-as")).toHaveText("Lena Moreau-Blanc");
});
