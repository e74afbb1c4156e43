import { readFileSync } from "node:fs";
import { expect, test } from "./fixtures";
import { ADMIN, expectAccessible, hydrated, peopleTable, signInAndWait } from "./helpers";

test("the access report answers who reaches an outlet, and downloads as CSV", async ({ page }) => {
  await signInAndWait(page, ADMIN);
  await page.getByRole("link", { name: "Access report" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Access report" })).toBeVisible();
  await hydrated(page);
  await page.getByLabel("Reaches outlet").fill("Harbor Burger Mission (HB-003)");
  await page.getByLabel("Reaches outlet").press("Tab");
  await expect(page).toHaveURL(/outlet_id=/);
  const rows = page.getByTestId("report-row");
  await expect(rows.filter({ hasText: "ivy.chen@harbor.example" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "grace.kim@harbor.example" })).toHaveCount(0);
  await expect(rows.filter({ hasText: ADMIN })).toContainText("The whole organization");
  await expectAccessible(page);

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download the whole report (CSV)" }).click(),
  ]);
  const text = readFileSync(await download.path(), "utf8");
  const lines = text.trim().split("\n");
  expect(lines[0]).toBe("name,email,role,role_type,where,through,starts_at,ends_at");
  expect(lines.some((line) => line.includes("ivy.chen@harbor.example") && line.includes("Harbor Burger Mission (HB-003)"))).toBe(true);
  expect(lines.some((line) => line.includes("grace.kim@harbor.example"))).toBe(false);
});

test("the people list downloads as CSV with its filters", async ({ page }) => {
  await signInAndWait(page, ADMIN);
  await page.getByLabel("Status").selectOption("inactive");
  await expect(page).toHaveURL(/status=inactive/);
  await expect(peopleTable(page)).toContainText("quinn.former@harbor.example");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download these people (CSV)" }).click(),
  ]);
  const lines = readFileSync(await download.path(), "utf8").trim().split("\n");
  expect(lines[0]).toBe(
    "first_name,last_name,email,status,managed_by,roles,whole_organization,outlets,outlet_groups,last_signed_in_at",
  );
  expect(lines.length).toBeGreaterThan(1);
  for (const line of lines.slice(1)) expect(line).toContain(",inactive,");
});
