import { expect, test } from "./fixtures";
import { ADMIN, NORTHSIDE_OWNER, expectAccessible, hydrated, signInAndWait } from "./helpers";

test("the brand's owner unlinks a franchisee after confirming, invites it back, and the franchisee accepts in its console", async ({ page, browser, server }) => {
  await signInAndWait(page, ADMIN);
  await page.getByRole("link", { name: "Settings" }).click();
  await hydrated(page);
  const northside = page.getByTestId("franchisee").filter({ hasText: "Northside Foods" });
  await expect(northside).toContainText("Northside Foods (northside)");
  await northside.getByText("Unlink Northside Foods…").click();
  await expect(northside).toContainText("Unlinking ends 1 grant of the brand's roles");
  await northside.getByRole("button", { name: "Unlink" }).click();
  await expect(northside.locator(".field-error")).toContainText("Confirm the unlink");
  await northside.getByLabel("I understand what unlinking ends").focus();
  await page.keyboard.press("Space");
  await expect(northside.getByLabel("I understand what unlinking ends")).toBeChecked();
  await northside.getByRole("button", { name: "Unlink" }).click();
  await expect(page.getByTestId("franchisee")).toHaveCount(0);
  await expectAccessible(page);

  const invite = page.locator("details").filter({ hasText: "Invite an existing organization to run Harbor Burger" });
  await invite.getByText("Invite an existing organization to run Harbor Burger").click();
  await invite.getByLabel("The organization's slug").fill("harbor");
  await invite.getByRole("button", { name: "Invite" }).click();
  await expect(invite.locator(".field-error")).toContainText("That is this organization");
  await invite.getByLabel("The organization's slug").fill("northside");
  await invite.getByRole("button", { name: "Invite" }).click();
  await expect(page.getByTestId("invited")).toContainText("Northside Foods (northside): invited, waiting for an answer");

  const visitor = await browser.newContext({ baseURL: server.url });
  const owner = await visitor.newPage();
  await signInAndWait(owner, NORTHSIDE_OWNER);
  await owner.getByRole("link", { name: "Settings" }).click();
  await hydrated(owner);
  await expect(owner.getByTestId("brands")).toHaveCount(0);
  await expect(owner.getByTestId("invitations")).toContainText("Harbor Kitchen Group invites you to run Harbor Burger");
  await expectAccessible(owner);
  await owner.getByRole("button", { name: "Accept" }).click();
  await expect(owner.getByTestId("invitations")).toHaveCount(0);
  await expect(owner.getByTestId("brands")).toContainText("Managed by Harbor Kitchen Group");
  await visitor.close();

  await page.reload();
  await expect(page.getByTestId("franchisee")).toContainText("Northside Foods (northside)");
});
