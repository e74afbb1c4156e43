import { expect, test } from "./fixtures";
import { expectAccessible, hydrated, onSignInPage, verificationLink } from "./helpers";

test.use({ demo: false });

test("from an empty database: setup link, owner, brand, a franchisee invited by mail, 300 outlets imported, a role defined and granted; the franchisee sees the brand read-only", async ({ page, browser, server }) => {
  test.setTimeout(120_000); // the whole first day, 300 outlets included
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
  const franchise = page.locator("details").filter({ hasText: "Add a franchisee of Bayside Grill" });
  await franchise.getByText("Add a franchisee of Bayside Grill").click();
  await franchise.getByLabel("Franchisee's name").fill("Coastal Eats");
  await franchise.getByLabel("Slug").fill("coastal-eats");
  await franchise.getByLabel("Owner's email (invited by mail)").fill("owner@coastal.example");
  await franchise.getByRole("button", { name: "Add franchisee" }).click();
  // The brands reload: the new franchisee is listed under its brand.
  await expect(page.getByTestId("franchisee")).toContainText("Coastal Eats (coastal-eats)");
  await expectAccessible(page);

  await page.getByRole("link", { name: "Outlets" }).click();
  await hydrated(page);
  const rows = ["number,name,brand,time_zone"];
  for (let n = 1; n <= 300; n++) rows.push(`BG-${String(n).padStart(3, "0")},Bayside Grill ${n},Bayside Grill,`);
  const importer = page.getByTestId("import-outlets");
  await importer.getByText("Import outlets from CSV").click();
  await importer.getByLabel("CSV file (fills the text below)").setInputFiles({
    name: "outlets.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(rows.join("\n")),
  });
  await expect(importer.getByLabel("CSV with the columns number,name,brand,time_zone")).toHaveValue(/^number,name,brand,time_zone\nBG-001,/);
  await importer.getByRole("button", { name: "Preview" }).click();
  await expect(page.getByTestId("import-counts")).toHaveText("300 to create, 0 to update, 0 unchanged, 0 with errors.");
  await importer.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByTestId("import-job").locator("progress")).toBeVisible();
  await expect(page.getByTestId("import-status")).toHaveText("300 created, 0 updated.");
  await expect(page.getByTestId("outlets").locator("caption")).toContainText("300 outlets");
  await expect(page.getByTestId("outlet-row")).toHaveCount(25); // a page at a time
  await page.getByRole("link", { name: "Next page" }).click();
  await expect(page).toHaveURL(/after=/);
  await expect(page.getByTestId("outlet-row")).toHaveCount(25);
  await page.getByLabel("Name or number contains").fill("BG-29");
  await expect(page.getByTestId("outlets").locator("caption")).toContainText('10 outlets matching "BG-29"');
  await expectAccessible(page);

  await page.getByRole("link", { name: "Access", exact: true }).click();
  await hydrated(page);
  const add = page.locator("details.add-user");
  await add.getByLabel("Email", { exact: true }).fill("sam.lee@bayside.example");
  await add.getByLabel("First name").fill("Sam");
  await add.getByLabel("Last name").fill("Lee");
  await add.getByLabel("Access to").fill("Bayside Grill 7 (BG-007)");
  await add.getByLabel("Role", { exact: true }).selectOption({ label: "Shift Lead" });
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByTestId("add-result")).toHaveText(
    "Access added: sam.lee@bayside.example as Shift Lead at Bayside Grill 7 (BG-007).",
  );

  await page.goto(setupPath);
  await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();

  // The franchisee's owner accepts through the mail in the outbox and sees the brand read-only.
  const visitor = await browser.newContext({ baseURL: server.url });
  const owner = await visitor.newPage();
  await owner.goto(verificationLink(server.outbox, "owner@coastal.example"));
  await hydrated(owner);
  await owner.getByLabel("New password").fill("coastal-password");
  await owner.getByLabel("Repeat the password").fill("coastal-password");
  await owner.getByRole("button", { name: "Set password" }).click();
  await onSignInPage(owner);
  await owner.getByLabel("Email or username").fill("owner@coastal.example");
  await owner.getByLabel("Password").fill("coastal-password");
  await owner.getByRole("button", { name: "Sign in" }).click();
  await expect(owner.getByTestId("signed-in-as")).toBeVisible();
  await owner.getByRole("link", { name: "Settings" }).click();
  await hydrated(owner);
  await expect(owner.getByTestId("brands")).toContainText("Bayside Grill");
  await expect(owner.getByTestId("brands")).toContainText("Managed by Bayside Grill Group");
  await expect(owner.getByRole("button", { name: "Rename" })).toHaveCount(0);
  await expect(owner.getByLabel("New brand")).toHaveCount(0);
  await owner.getByRole("link", { name: "Security & Permissions" }).click();
  await owner.getByRole("link", { name: "API User Permissions" }).click();
  await hydrated(owner);
  await expect(owner.getByRole("switch", { name: "Allow editing of Bayside Grill API-managed users in Brigade" })).toBeDisabled();
  await expect(owner.getByTestId("toggle-locked")).toHaveText(
    "Managed by Bayside Grill Group: only the brand's owner changes this setting.",
  );
  await expectAccessible(owner);
  await visitor.close();
});
