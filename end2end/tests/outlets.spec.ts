import { expect, test } from "./fixtures";
import { ADMIN, expectAccessible, hydrated, signInAndWait } from "./helpers";

test("an owner opens an outlet, archives it and restores it; the pages are accessible", async ({ page }) => {
  await signInAndWait(page, ADMIN);
  await page.getByRole("link", { name: "Outlets" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Outlets" })).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);
  const form = page.getByTestId("new-outlet");
  await form.getByText("New outlet").click();
  await form.getByLabel("Number").fill("HB-004");
  await form.getByLabel("Name").fill("Harbor Burger Oakland");
  await form.getByLabel("Brand").selectOption({ label: "Harbor Burger" });
  await form.getByLabel("Time zone (empty: the organization's default)").fill("Mars/Olympus");
  await form.getByRole("button", { name: "Create outlet" }).click();
  await expect(page.locator("#outlet-time-zone-error")).toContainText("time zone name");
  await form.getByLabel("Time zone (empty: the organization's default)").fill("America/Los_Angeles");
  await form.getByRole("button", { name: "Create outlet" }).click();
  const row = page.getByTestId("outlet-row").filter({ hasText: "HB-004" });
  await expect(row).toContainText("America/Los_Angeles");
  await row.getByRole("button", { name: "Archive Harbor Burger Oakland" }).click();
  await expect(row).toContainText("Archived");
  await row.getByRole("button", { name: "Restore Harbor Burger Oakland" }).click();
  await expect(row).toContainText("Open");

  await page.getByRole("link", { name: "Settings" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Organization settings" })).toBeVisible();
  await hydrated(page);
  await expect(page.getByTestId("slug")).toContainText("harbor");
  await page.getByLabel("Default time zone").fill("America/Los_Angeles");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByTestId("settings-saved")).toHaveText("Saved.");
  await expectAccessible(page);
});
