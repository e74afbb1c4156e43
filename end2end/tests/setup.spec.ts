import { expect, test } from "./fixtures";
import { expectAccessible, hydrated } from "./helpers";

test.use({ demo: false });

test("from an empty database: the setup link creates the organization and its owner, who defines a role, a brand and imports 300 outlets", async ({ page, server }) => {
  expect(server.setupLink).toBeTruthy();
  const setupPath = new URL(server.setupLink!).pathname;
  await page.goto(setupPath);
  await expect(page.getByRole("heading", { level: 1, name: "Set up Brigade" })).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);
  await page.getByLabel("Name", { exact: true }).fill("Bayside Grill Group");
  await page.getByLabel("Short name (slug, fixed once created)").fill("Bayside!");
  await page.getByLabel("Default time zone (e.g. Europe/Brussels)").fill("Europe/Brussels");
  await page.getByLabel("Email").fill("owner@bayside.example");
  await page.getByLabel("First name").fill("Robin");
  await page.getByLabel("Last name").fill("Hale");
  await page.getByLabel("Password", { exact: true }).fill("a-long-password");
  await page.getByLabel("Repeat the password").fill("a-long-password");
  await page.getByRole("button", { name: "Create organization" }).click();
  await expect(page.locator("#setup-slug-error")).toContainText("lower-case letters");
  await page.getByLabel("Short name (slug, fixed once created)").fill("bayside");
  await page.getByRole("button", { name: "Create organization" }).click();
  await expect(page).toHaveURL(/\/users/);
  await expect(page.getByTestId("signed-in-as")).toHaveText("Robin Hale");

  await page.getByRole("link", { name: "Security & Permissions" }).click();
  await hydrated(page);
  await expect(page.getByTestId("role-row")).toHaveCount(1); // Owner, to begin with
  const form = page.getByTestId("new-role");
  await form.getByText("New role").click();
  await form.getByLabel("Name", { exact: true }).fill("Shift Lead");
  await form.getByLabel("Type").selectOption("O");
  await form.getByLabel("users.view").check();
  await form.getByRole("button", { name: "Create role" }).click();
  await expect(page.getByTestId("role-row")).toHaveCount(2);
  await expect(page.getByTestId("user-roles")).toContainText("Shift Lead");
  await expectAccessible(page);

  await page.getByRole("link", { name: "Settings" }).click();
  await hydrated(page);
  await page.getByLabel("New brand").fill("Bayside Grill");
  await page.getByRole("button", { name: "Add brand" }).click();
  await expect(page.getByTestId("brands")).toContainText("Bayside Grill");
  await expectAccessible(page);

  await page.getByRole("link", { name: "Outlets" }).click();
  await hydrated(page);
  const rows = ["number,name,brand,time_zone"];
  for (let n = 1; n <= 300; n++) rows.push(`BG-${String(n).padStart(3, "0")},Bayside Grill ${n},Bayside Grill,`);
  const importer = page.getByTestId("import-outlets");
  await importer.getByText("Import outlets from CSV").click();
  await importer.getByLabel("CSV with the columns number,name,brand,time_zone").fill(rows.join("\n"));
  await importer.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByTestId("import-counts")).toHaveText("300 to create, 0 to update, 0 unchanged, 0 with errors.");
  await importer.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByTestId("import-job").locator("progress")).toBeVisible();
  await expect(page.getByTestId("import-status")).toHaveText("300 created, 0 updated.");
  await expect(page.getByTestId("outlets").locator("caption")).toContainText("300 outlets");
  await expectAccessible(page);

  await page.goto(setupPath);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
});
