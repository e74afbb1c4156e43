import { expect, test } from "./fixtures";
import type { Page } from "@playwright/test";
import { ADMIN, MANAGER, NORTHSIDE_OWNER, expectAccessible, hydrated, onSignInPage, openPerson, signInAndWait, verificationLink } from "./helpers";

const rows = (page: Page) => page.getByTestId("connector-row");
const addForm = (page: Page) => page.locator("details.add-user");

async function openAccess(page: Page, email = ADMIN) {
  await signInAndWait(page, email);
  await page.getByRole("link", { name: "Access", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Access" })).toBeVisible();
  await hydrated(page);
}

async function filterEmail(page: Page, fragment: string) {
  await page.getByLabel("Email contains").fill(fragment);
  await expect(page).toHaveURL(new RegExp(`email=${fragment.replace(".", "\\.")}`));
}

test("filters live in the URL, survive the back button, and the page is accessible", async ({ page }) => {
  await openAccess(page);
  await expectAccessible(page);
  await page.getByLabel("Type").selectOption("O");
  await expect(page).toHaveURL(/type=O/);
  await expect(rows(page).first()).toBeVisible();
  // Retried until the filtered rows replace the earlier ones.
  await expect(rows(page).locator("td:nth-child(2)").filter({ hasText: "L" })).toHaveCount(0);

  await page.getByLabel("Outlet", { exact: true }).fill("Harbor Burger Pier 39 (HB-001)");
  await page.getByLabel("Outlet", { exact: true }).press("Tab");
  await expect(page).toHaveURL(/outlet_id=/);
  await expect(rows(page)).toHaveCount(6);
  await page.goBack();
  await expect(page).toHaveURL(/\/connectors\?type=O$/);
  await expect(page.getByLabel("Outlet", { exact: true })).toHaveValue("");

  await page.goto("/connectors?type=L&email=felix");
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page)).toContainText("Viewer");
});

test("add a new person with a verification email; they set a password and sign in", async ({ page, browser, server }) => {
  await openAccess(page);
  await addForm(page).getByLabel("Email", { exact: true }).fill("not-an-email");
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.locator("#add-email-error")).toContainText("Enter an email address");

  await addForm(page).getByLabel("Email", { exact: true }).fill("noor.cook@harbor.example");
  await addForm(page).getByLabel("First name").fill("Noor");
  await addForm(page).getByLabel("Last name").fill("Cook");
  await addForm(page).getByLabel("Access to").fill("Harbor Burger Pier 39 (HB-001)");
  const roleOptions = await addForm(page).getByLabel("Role", { exact: true }).locator("option").allTextContents();
  expect(roleOptions).toContain("Staff");
  expect(roleOptions).not.toContain("Owner"); // only outlet roles for an outlet
  await addForm(page).getByLabel("Role", { exact: true }).selectOption({ label: "Staff" });
  await addForm(page).getByLabel("Send verification email").check();
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByTestId("add-result")).toHaveText(
    "Access added: noor.cook@harbor.example as Staff at Harbor Burger Pier 39 (HB-001).",
  );
  await filterEmail(page, "noor.cook");
  await expect(rows(page)).toHaveCount(1);

  const link = verificationLink(server.outbox, "noor.cook@harbor.example");
  const visitor = await browser.newContext({ baseURL: server.url });
  const noor = await visitor.newPage();
  await noor.goto(link);
  await hydrated(noor);
  await expect(noor.getByTestId("verify-email")).toHaveText("noor.cook@harbor.example");
  await expectAccessible(noor);
  await noor.getByLabel("New password").fill("burgers-and-fries");
  await noor.getByLabel("Repeat the password").fill("burgers-and-frie");
  await noor.getByRole("button", { name: "Set password" }).click();
  await expect(noor.locator("#confirmation-error")).toHaveText("The two passwords differ.");
  await noor.getByLabel("Repeat the password").fill("burgers-and-fries");
  await noor.getByRole("button", { name: "Set password" }).click();
  await expect(noor).toHaveURL(/\/login\?verified=1/);
  await expect(noor.getByRole("status")).toContainText("Your password is set");
  await onSignInPage(noor);
  await noor.getByLabel("Email or username").fill("noor.cook@harbor.example");
  await noor.getByLabel("Password").fill("burgers-and-fries");
  await noor.getByRole("button", { name: "Sign in" }).click();
  await expect(noor.getByTestId("signed-in-as")).toHaveText("Noor Cook");

  // The link works once.
  await noor.goto(link);
  await expect(noor.getByText("This link is invalid, already used or expired")).toBeVisible();
  await visitor.close();
});

test("add an existing person: the account is reused with a second connector", async ({ page }) => {
  await openAccess(page);
  await addForm(page).getByLabel("Email", { exact: true }).fill("Lena.Moreau@harbor.example");
  await addForm(page).getByLabel("Access to").fill("");
  await addForm(page).getByLabel("Role", { exact: true }).selectOption({ label: "Viewer" });
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByTestId("add-result")).toContainText("lena.moreau@harbor.example as Viewer at Whole organization");
  await filterEmail(page, "lena.moreau");
  await expect(rows(page)).toHaveCount(2);

  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "already has the role Viewer" })).toBeVisible();
});

test("move an outlet user to another outlet, change a role, and revoke with confirmation", async ({ page }) => {
  await openAccess(page);
  await filterEmail(page, "grace.kim");
  await expect(rows(page)).toHaveCount(1);
  await rows(page).getByText("Change…").click();
  await rows(page).getByLabel("Move to").fill("HB-003");
  await rows(page).getByRole("button", { name: "Move" }).click();
  await expect(rows(page)).toContainText("Harbor Burger Mission (HB-003)");

  await rows(page).getByText("Change…").click();
  await rows(page).getByLabel("Role", { exact: true }).selectOption({ label: "Outlet Manager" });
  await rows(page).getByRole("button", { name: "Save role" }).click();
  await expect(rows(page).locator("td:nth-child(4)")).toHaveText("Outlet Manager");

  await filterEmail(page, "ivy.chen");
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page)).toContainText("ivy.chen@harbor.example");
  await rows(page).getByText("Change…").click();
  await rows(page).getByRole("button", { name: "Revoke…" }).click();
  await expect(rows(page).getByText("Revoke Ivy Chen, Staff at Harbor Burger Mission (HB-003)?")).toBeVisible();
  await rows(page).getByRole("button", { name: "Cancel" }).click();
  await expect(rows(page)).toHaveCount(1);
  await rows(page).getByRole("button", { name: "Revoke…" }).click();
  await rows(page).getByRole("button", { name: "Confirm revoke" }).click();
  await expect(page.getByTestId("no-connectors")).toBeVisible();

  // The account and membership stay: Ivy is still among the people.
  await page.goto("/users?q=ivy");
  await expect(page.getByTestId("people")).toContainText("ivy.chen@harbor.example");
});

test("the outlet manager sees and manages only their outlet", async ({ page }) => {
  await openAccess(page, MANAGER);
  await expect(rows(page)).toHaveCount(6);
  for (const scope of await rows(page).locator("td:nth-child(3)").allTextContents()) {
    expect(scope).toBe("Harbor Burger Pier 39 (HB-001)");
  }
  // The picker suggests, as they type, only the outlets where they manage access.
  await addForm(page).getByLabel("Access to").fill("Harbor");
  const suggestions = page.locator("#add-outlet-choices option");
  await expect(suggestions).toHaveCount(1);
  await expect(suggestions).toHaveAttribute("value", "Harbor Burger Pier 39 (HB-001)");
  await expectAccessible(page);
});

test("a franchisee sees its brand-managed people locked, with the reason, and changes the others", async ({ page }) => {
  await openAccess(page, NORTHSIDE_OWNER);
  await filterEmail(page, "aiden.ross");
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).getByTestId("managed-by-brand")).toHaveText("User managed by Harbor Burger");
  await expect(rows(page).getByTestId("row-locked")).toHaveText(
    "User managed by Harbor Burger: only Harbor Burger's API can change this person's access here.",
  );
  await expect(rows(page).getByText("Change…")).toHaveCount(0);

  await filterEmail(page, "chris.doyle");
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).getByTestId("row-locked")).toHaveCount(0);
  await expect(rows(page).getByText("Change…")).toBeVisible();
  await expectAccessible(page);
});

test("a former cook is rehired by employee number: active again, with the new access only", async ({ page }) => {
  await signInAndWait(page, ADMIN);
  await openPerson(page, "Quinn Former");
  await page.getByLabel("Employee number").fill("E-77");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByTestId("saved")).toHaveText("Saved.");

  await page.getByRole("link", { name: "Access", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Access" })).toBeVisible();
  await hydrated(page);
  await addForm(page).getByLabel("Email", { exact: true }).fill("quinn.former@harbor.example");
  await addForm(page).getByLabel("Employee number (optional)").fill("E-77");
  await addForm(page).getByLabel("Access to").fill("Harbor Burger Market Street (HB-002)");
  await addForm(page).getByLabel("Role", { exact: true }).selectOption({ label: "Staff" });
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByTestId("add-result")).toHaveText(
    "quinn.former@harbor.example is active again (rehired) as Staff at Harbor Burger Market Street (HB-002); their earlier access was not restored.",
  );

  await page.goto("/users?q=E-77");
  const found = page.locator("table tbody tr");
  await expect(found).toHaveCount(1);
  await expect(found).toContainText("Quinn Former");
  await expect(found).toContainText("active");
  await found.getByRole("link", { name: "Quinn Former" }).click();
  await expect(page.getByTestId("connectors")).toContainText("Harbor Burger Market Street");
  await expect(page.getByTestId("connectors")).not.toContainText("Pier 39");
});

test("an invitation shows on the record and in the list, and is revoked and sent again", async ({ page }) => {
  await openAccess(page);
  await addForm(page).getByLabel("Email", { exact: true }).fill("ines.invited@harbor.example");
  await addForm(page).getByLabel("First name").fill("Ines");
  await addForm(page).getByLabel("Last name").fill("Invited");
  await addForm(page).getByLabel("Access to").fill("Harbor Burger Pier 39 (HB-001)");
  await addForm(page).getByLabel("Role", { exact: true }).selectOption({ label: "Staff" });
  await addForm(page).getByLabel("Send verification email").check();
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByTestId("add-result")).toContainText("Access added: ines.invited@harbor.example");

  await page.goto("/users?sign_in=never&q=ines");
  await expect(page.getByLabel("Last sign-in")).toHaveValue("never");
  const row = page.locator("table tbody tr").filter({ hasText: "Ines Invited" });
  await expect(row).toContainText("Invitation pending");
  await expect(row).toContainText("Never");
  await row.getByRole("link", { name: "Ines Invited" }).click();
  await hydrated(page);
  await expect(page.getByTestId("invitation")).toContainText("Invitation pending");
  await page.getByRole("button", { name: "Revoke the invitation" }).click();
  await expect(page.getByTestId("invitation")).toContainText("Invitation revoked");
  await page.getByRole("button", { name: "Send the invitation again" }).click();
  await expect(page.getByTestId("invitation")).toContainText("Invitation pending");
  await expect(page.getByTestId("last-sign-in")).toHaveText("Never");
  await expectAccessible(page);
});

test("a cook is borrowed by another outlet for three days: the row says when", async ({ page }) => {
  await openAccess(page);
  await addForm(page).getByLabel("Email", { exact: true }).fill("grace.kim@harbor.example");
  await addForm(page).getByLabel("Access to").fill("Harbor Burger Pier 39 (HB-001)");
  await addForm(page).getByLabel("Role", { exact: true }).selectOption({ label: "Staff" });
  await addForm(page).getByLabel("First day (optional)").fill("2030-07-01");
  await addForm(page).getByLabel("Last day (optional; a borrow ends here)").fill("2030-07-03");
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByTestId("add-result")).toContainText("Access added: grace.kim@harbor.example as Staff at Harbor Burger Pier 39");

  await page.getByLabel("State").selectOption("scheduled");
  await expect(page).toHaveURL(/state=scheduled/);
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).getByTestId("window")).toHaveText("Scheduled: 2030-07-01 00:00:00 until 2030-07-04 00:00:00 UTC");

  await addForm(page).getByLabel("Email", { exact: true }).fill("grace.kim@harbor.example");
  await addForm(page).getByLabel("First day (optional)").fill("2030-07-05");
  await addForm(page).getByLabel("Last day (optional; a borrow ends here)").fill("2030-07-01");
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.locator("#add-ends-on-error")).toContainText("The last day comes on or after the first");
});

test("a transfer on a date: the old outlet's access ends and the new one's starts, as one change", async ({ page }) => {
  await openAccess(page);
  await filterEmail(page, "grace.kim");
  await expect(rows(page)).toHaveCount(1);
  await rows(page).getByText("Change…").click();
  await rows(page).getByLabel("Move to").fill("HB-003");
  await rows(page).getByLabel("On (empty: now)").fill("2031-01-10");
  await rows(page).getByRole("button", { name: "Move" }).click();
  await expect(rows(page)).toHaveCount(2);
  const moving = rows(page).filter({ hasText: "Harbor Burger Market Street (HB-002)" });
  const arriving = rows(page).filter({ hasText: "Harbor Burger Mission (HB-003)" });
  await expect(moving.getByTestId("window")).toHaveText("Active: until 2031-01-10 00:00:00 UTC");
  await expect(arriving.getByTestId("window")).toHaveText("Scheduled: from 2031-01-10 00:00:00 UTC");
});
