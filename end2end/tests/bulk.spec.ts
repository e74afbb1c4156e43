import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { expect, test } from "./fixtures";
import { ADMIN, expectAccessible, peopleTable, signInAndWait } from "./helpers";

const repo = resolve(__dirname, "..", "..");

test("fifty seasonal cooks are deactivated at once, with a progress bar and a result each", async ({ page, server, request }) => {
  // An integration client (from the command line) brings in the season's cooks.
  const printed = execFileSync(
    process.env.BRIGADE_BIN ?? `${repo}/target/debug/brigade`,
    ["token", "create", "--org", "harbor", "--role", "Integration", "--name", "seasonal import"],
    { env: { ...process.env, DATABASE_URL: server.database }, encoding: "utf8" },
  );
  const token = printed.trim().split("\n").pop() ?? "";
  const headers = { Authorization: `Bearer ${token}` };
  const roles = await (await request.get(`${server.url}/api/v1/user-roles?page_size=200`, { headers })).json();
  const staff = roles.results.find((r: { name: string }) => r.name === "Staff").id;
  const outlets = await (await request.get(`${server.url}/api/v1/outlets?page_size=200`, { headers })).json();
  const pier = outlets.results.find((o: { number: string }) => o.number === "HB-001").id;
  const cooks = Array.from({ length: 50 }, (_, n) => ({
    username: `seasonal${n}`,
    email: `seasonal.cook${n}@harbor.example`,
    first_name: "Seasonal",
    last_name: `Cook ${String(n).padStart(2, "0")}`,
    locations: [{ id: pier }],
    default_location: { id: pier },
    user_roles: [{ id: staff }],
  }));
  const made = await request.post(`${server.url}/api/v1/users`, { headers, data: cooks });
  expect(made.ok()).toBe(true);

  await signInAndWait(page, ADMIN);
  await page.getByLabel("Search by name, email or employee number").fill("seasonal.cook");
  await expect(page).toHaveURL(/q=seasonal\.cook/);
  await expect(peopleTable(page)).toContainText("of 50 people");
  await page.getByText("Change several people at once").click();
  await page.getByLabel("All matching this filter (50)").check();
  await expect(page.getByTestId("bulk-selected")).toHaveText("Everyone matching this filter (50)");
  await page.getByLabel("Action").selectOption("deactivate");
  await expectAccessible(page);
  await page.getByRole("button", { name: "Apply to them" }).click();
  await expect(page.getByTestId("bulk-job").locator("progress")).toBeVisible();
  await expect(page.getByTestId("bulk-status")).toHaveText("50 done, 0 refused.");
  await expect(page.getByTestId("bulk-results").locator("tbody tr")).toHaveCount(50);
  await expect(peopleTable(page).locator(".status-inactive")).not.toHaveCount(0);
  await expect(peopleTable(page).locator(".status-active")).toHaveCount(0);
});

test("ticked people: one is refused with the reason, the other is done", async ({ page }) => {
  await signInAndWait(page, ADMIN);
  // The ticks stay while the person searches for the next one.
  const search = page.getByLabel("Search by name, email or employee number");
  await search.fill("lena.moreau");
  await expect(peopleTable(page).locator("tbody tr")).toHaveCount(1);
  await page.getByLabel("Select Lena Moreau").check();
  await search.fill("avery");
  await expect(peopleTable(page).locator("tbody tr")).toHaveCount(1);
  await page.getByLabel("Select Avery Lindqvist").check();
  await page.getByText("Change several people at once").click();
  await expect(page.getByTestId("bulk-selected")).toHaveText("2 selected");
  await page.getByLabel("Action").selectOption("deactivate");
  await page.getByRole("button", { name: "Apply to them" }).click();
  await expect(page.getByTestId("bulk-status")).toHaveText("1 done, 1 refused.");
  const results = page.getByTestId("bulk-results");
  await expect(results.locator("tr", { hasText: "lena.moreau@harbor.example" })).toContainText("Done");
  await expect(results.locator("tr", { hasText: ADMIN })).toContainText("Refused: This is you");
});
