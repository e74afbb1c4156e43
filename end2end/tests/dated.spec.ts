import { expect, serveLater, test } from "./fixtures";
import { ADMIN, hydrated, peopleTable, signIn, signInAndWait } from "./helpers";

const LENA = "lena.moreau@harbor.example";

/** The UTC date `days` from now, as a date field takes it. */
function day(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

test("a cook borrowed as a manager for three days loses that access once the clock passes the window", async ({ page, browser, server }) => {
  await signInAndWait(page, ADMIN);
  await page.getByRole("link", { name: "Access", exact: true }).click();
  await hydrated(page);
  const add = page.locator("details.add-user");
  await add.getByLabel("Email", { exact: true }).fill(LENA);
  await add.getByLabel("Access to").fill("Harbor Burger Market Street (HB-002)");
  await add.getByLabel("Role", { exact: true }).selectOption({ label: "Outlet Manager" });
  await add.getByLabel("Last day (optional; a borrow ends here)").fill(day(2));
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByTestId("add-result")).toContainText("Access added: lena.moreau@harbor.example as Outlet Manager");

  // During the borrow Lena manages Market Street's people.
  const now = await browser.newContext({ baseURL: server.url });
  const lena = await now.newPage();
  await signInAndWait(lena, LENA);
  await expect(peopleTable(lena)).toContainText("grace.kim@harbor.example");
  await now.close();

  // Five days on (the same database, a server whose clock runs ahead), the borrow has ended:
  // she is a cook again, with no console page but her own.
  const later = await serveLater(server, "5d");
  try {
    const after = await browser.newContext({ baseURL: later.server.url });
    const lenaLater = await after.newPage();
    await signIn(lenaLater, LENA);
    await expect(lenaLater).toHaveURL(/\/me$/);
    await expect(lenaLater.getByRole("link", { name: "People" })).toHaveCount(0);
    await after.close();
  } finally {
    await later.stop();
  }
});
