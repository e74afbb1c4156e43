import { expect, test } from "./fixtures";
import { ADMIN, expectAccessible, hydrated, signInAndWait } from "./helpers";

test("an owner changes a person and reads the change in the audit log, as a diff, filtered to that person", async ({ page }) => {
  await signInAndWait(page, ADMIN);
  await page.goto("/users?q=grace.kim");
  await hydrated(page);
  await page.getByRole("link", { name: "Grace Kim" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Grace Kim" })).toBeVisible();
  await hydrated(page);
  await page.getByLabel("Last name").fill("Kim-Okafor");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByTestId("saved")).toHaveText("Saved.");

  // From her record, her trail.
  await page.getByTestId("audit-trail").click();
  await expect(page.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
  await expect(page.getByTestId("filter-person")).toBeVisible();
  const newest = page.getByTestId("audit-event").first();
  await expect(newest.getByTestId("action")).toHaveText("Person changed");
  await expect(newest.getByTestId("concerning")).toContainText("grace.kim@harbor.example");
  await expect(newest.getByTestId("changes")).toContainText("Last name");
  await expect(newest.getByTestId("changes").locator("del")).toHaveText("Kim");
  await expect(newest.getByTestId("changes").locator("ins")).toHaveText("Kim-Okafor");
  await expect(newest.getByTestId("actor")).toHaveText("Avery Lindqvist");
  await expectAccessible(page);

  // The whole log, from the menu, narrowed to one kind of change.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByTestId("filter-person")).toHaveCount(0);
  await hydrated(page);
  await page.getByLabel("What").selectOption({ label: "Person changed" });
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/action=user\.updated/);
  const actions = page.getByTestId("audit-event").getByTestId("action");
  await expect(actions.first()).toHaveText("Person changed");
  for (const text of await actions.allTextContents()) {
    expect(text).toBe("Person changed");
  }
});
