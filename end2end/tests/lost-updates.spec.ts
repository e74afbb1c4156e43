import { expect, test } from "./fixtures";
import { ADMIN, hydrated, signInAndWait } from "./helpers";

test("a save over someone else's change is refused with a reload that shows their change", async ({ page, context }) => {
  await signInAndWait(page, ADMIN);
  await page.goto("/users?q=lena.moreau");
  await hydrated(page);
  await page.getByRole("link", { name: "Lena Moreau" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Lena Moreau" })).toBeVisible();
  await hydrated(page);
  const record = page.url();

  // A colleague (another tab of the same console) renames her while this form is open.
  const colleague = await context.newPage();
  await colleague.goto(record);
  await hydrated(colleague);
  await colleague.getByLabel("First name").fill("Léna");
  await colleague.getByRole("button", { name: "Save changes" }).click();
  await expect(colleague.getByTestId("saved")).toHaveText("Saved.");

  // This form, opened before, does not overwrite her change.
  await page.getByLabel("Last name").fill("Moreau-Duval");
  await page.getByRole("button", { name: "Save changes" }).click();
  const alert = page.getByTestId("edit-person").getByRole("alert").filter({ hasText: "Changed by someone else" });
  await expect(alert).toContainText("Changed by someone else since you opened it.");
  await alert.getByTestId("reload").click();
  await expect(page.getByRole("heading", { level: 1, name: "Léna Moreau" })).toBeVisible();
  await hydrated(page);
  await expect(page.getByLabel("Last name")).toHaveValue("Moreau");

  // After the reload the change goes through.
  await page.getByLabel("Last name").fill("Moreau-Duval");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByTestId("saved")).toHaveText("Saved.");
  await expect(page.getByRole("heading", { level: 1, name: "Léna Moreau-Duval" })).toBeVisible();
});
