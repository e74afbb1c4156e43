import { expect, test } from "./fixtures";
import { ADMIN, MANAGER, expectAccessible, hydrated, peopleTable, signInAndWait } from "./helpers";

test("a district: access through it reaches an outlet added later", async ({ page, browser, server }) => {
  await signInAndWait(page, ADMIN);
  await page.getByRole("link", { name: "Outlet groups" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Outlet groups" })).toBeVisible();
  await hydrated(page);
  await page.getByText("New outlet group").click();
  await page.getByLabel("Name", { exact: true }).fill("Bay district");
  await page.getByRole("button", { name: "Create group" }).click();
  const district = page.getByTestId("outlet-group").filter({ hasText: "Bay district" });
  await expect(district).toContainText("0 outlets");
  await district.getByLabel("Add an outlet").fill("Harbor Burger Market Street (HB-002)");
  await district.getByRole("button", { name: "Add to group" }).click();
  await expect(district.getByRole("list")).toContainText("Harbor Burger Market Street (HB-002)");
  await expectAccessible(page);

  // Morgan, who manages Pier 39, becomes an outlet manager across the district.
  await page.getByRole("link", { name: "Access", exact: true }).click();
  await hydrated(page);
  const add = page.locator("details.add-user");
  await add.getByLabel("Email", { exact: true }).fill(MANAGER);
  // The group is picked by typing: the server suggests the groups whose name holds the text.
  await add.getByLabel("Or an outlet group").fill("bay");
  await expect(page.locator('#add-group-choices option[value="Bay district"]')).toBeAttached();
  await add.getByLabel("Or an outlet group").fill("Bay district");
  await add.getByLabel("Role", { exact: true }).selectOption({ label: "Outlet Manager" });
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByTestId("add-result")).toHaveText(
    "Access added: manager@harbor.example as Outlet Manager at Bay district (outlet group).",
  );
  await page.getByLabel("Outlet group", { exact: true }).fill("Bay district");
  await page.getByLabel("Outlet group", { exact: true }).press("Tab");
  await expect(page).toHaveURL(/outlet_group_id=Bay/);
  await expect(page.getByTestId("connector-row")).toHaveCount(1);

  // Morgan reaches Market Street's people, not yet Mission's.
  const morgan = await browser.newContext({ baseURL: server.url });
  const morganPage = await morgan.newPage();
  await signInAndWait(morganPage, MANAGER);
  await expect(peopleTable(morganPage)).toContainText("grace.kim@harbor.example");
  await expect(peopleTable(morganPage)).not.toContainText("ivy.chen@harbor.example");

  // Mission joins the district: Morgan reaches it at once.
  await page.goto("/outlet-groups");
  await hydrated(page);
  await district.getByLabel("Add an outlet").fill("Harbor Burger Mission (HB-003)");
  await district.getByRole("button", { name: "Add to group" }).click();
  await expect(district.getByRole("list")).toContainText("Harbor Burger Mission (HB-003)");
  await morganPage.reload();
  await expect(peopleTable(morganPage)).toContainText("ivy.chen@harbor.example");
  await morgan.close();
});
