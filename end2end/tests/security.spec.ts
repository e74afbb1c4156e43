import { expect, test } from "./fixtures";
import type { Page } from "@playwright/test";
import { ADMIN, NORTHSIDE_OWNER, expectAccessible, hydrated, openPerson, peopleTable, signInAndWait } from "./helpers";

const HARBOR_BURGER_TOGGLE = "Allow editing of Harbor Burger API-managed users in Brigade";

async function openApiUserPermissions(page: Page) {
  await page.getByRole("link", { name: "Security & Permissions" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Security & Permissions" })).toBeVisible();
  await page.getByRole("link", { name: "API User Permissions" }).click();
  await expect(page).toHaveURL(/tab=api/);
  await expect(page.getByTestId("api-toggles")).toBeVisible();
  await hydrated(page);
}

test("a corporate admin turns a brand's toggle off, finds its API-managed user read-only, then on again and edits", async ({ page }) => {
  await signInAndWait(page, ADMIN);
  await page.getByRole("link", { name: "Security & Permissions" }).click();
  await expect(page.getByTestId("user-roles")).toContainText("Burger Crew Trainer");
  await expectAccessible(page);
  await openApiUserPermissions(page);
  await expectAccessible(page);
  const toggle = page.getByRole("switch", { name: HARBOR_BURGER_TOGGLE });
  await expect(toggle).toHaveAttribute("aria-checked", "true");
  await expect(page.getByTestId("api-toggles")).toContainText("Affects the 1 people of this organization managed by Harbor Burger.");
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-checked", "false");

  await page.goto("/users");
  await hydrated(page);
  await page.getByLabel("Managed by").selectOption({ label: "Brand: Harbor Burger" });
  await expect(page).toHaveURL(/managed=brand%3A/);
  await expect(peopleTable(page).getByRole("row")).toHaveCount(2);
  await expect(peopleTable(page)).toContainText("User managed by Harbor Burger");

  await openPerson(page, "Jules Martin");
  await expect(page.getByTestId("managed-by-brand")).toHaveText("User managed by Harbor Burger");
  await expect(page.getByTestId("locked-reason")).toContainText(
    "console edits of API-managed people are turned off for Harbor Burger",
  );
  await expect(page.getByRole("button", { name: "Save changes" })).toHaveCount(0);

  await page.goto("/security?tab=api");
  await hydrated(page);
  await page.getByRole("switch", { name: HARBOR_BURGER_TOGGLE }).click();
  await expect(page.getByRole("switch", { name: HARBOR_BURGER_TOGGLE })).toHaveAttribute("aria-checked", "true");

  await openPerson(page, "Jules Martin");
  await expect(page.getByTestId("locked-reason")).toHaveCount(0);
  await page.getByLabel("Mobile").fill("call me");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.locator("#edit-mobile-error")).toContainText("Enter a phone number");
  await page.getByLabel("Mobile").fill("+1 415 555 0123");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByTestId("saved")).toHaveText("Saved.");
  await expect(page.locator("dl.details").first()).toContainText("+1 415 555 0123");
  await expectAccessible(page);
});

test("a franchisee owner sees the brand's toggle disabled and a brand-managed user read-only with the label", async ({ page }) => {
  await signInAndWait(page, NORTHSIDE_OWNER);
  await expect(peopleTable(page)).toContainText("User managed by Harbor Burger");
  await openApiUserPermissions(page);
  const brand = page.getByRole("switch", { name: HARBOR_BURGER_TOGGLE });
  await expect(brand).toBeDisabled();
  await expect(page.getByTestId("toggle-locked")).toHaveText(
    "Managed by Harbor Kitchen Group: only the brand's owner changes this setting.",
  );
  await expect(
    page.getByRole("switch", { name: "Allow editing of API-managed users without a brand in Brigade" }),
  ).toBeEnabled();
  await expectAccessible(page);

  await openPerson(page, "Aiden Ross");
  await expect(page.getByTestId("managed-by-brand")).toHaveText("User managed by Harbor Burger");
  await expect(page.getByTestId("locked-reason")).toContainText("User managed by Harbor Burger");
  await expect(page.getByRole("button", { name: "Save changes" })).toHaveCount(0);
});

test("an admin deactivates a person from the record and reactivates them from the deactivated list", async ({ page }) => {
  await signInAndWait(page, ADMIN);
  await openPerson(page, "Lena Moreau");
  await page.getByRole("button", { name: "Deactivate" }).click();
  await expect(page.getByTestId("status")).toHaveText("inactive");
  await page.goto("/users");
  await hydrated(page);
  await page.getByLabel("Status").selectOption("inactive");
  // The rows shown before the choice stay until the deactivated ones arrive.
  await expect(peopleTable(page).locator(".status-active")).toHaveCount(0);
  await expect(peopleTable(page)).toContainText("lena.moreau@harbor.example");
  await peopleTable(page).getByRole("link", { name: "Lena Moreau" }).click();
  await hydrated(page);
  await page.getByRole("button", { name: "Reactivate" }).click();
  await expect(page.getByTestId("status")).toHaveText("active");
});

test("an owner connects an identity provider: its token is shown once, its people arrive managed by SCIM, revoking stops it", async ({ page, server, request }) => {
  await signInAndWait(page, ADMIN);
  await page.getByRole("link", { name: "Security & Permissions" }).click();
  await page.getByRole("link", { name: "SCIM connections" }).click();
  await expect(page).toHaveURL(/tab=scim/);
  await hydrated(page);
  await expect(page.getByTestId("scim-url")).toHaveText(/\/scim\/v2$/);
  await page.getByLabel("Name", { exact: true }).fill("Okta");
  await page.getByLabel("The connection's role").selectOption({ label: "Integration (L, partner role api)" });
  await page.getByLabel("New people start with the role").selectOption({ label: "Staff (O, partner role viewer)" });
  await page.getByRole("button", { name: "Create connection" }).click();
  await expect(page.locator("#scim-people-outlet-error")).toContainText("Choose the outlet new people start at");
  await page.getByLabel("New people start at the outlet").fill("HB-001");
  await page.getByRole("button", { name: "Create connection" }).click();
  await expect(page.getByTestId("issued")).toContainText("shown only this once");
  const token = (await page.getByTestId("token").textContent()) ?? "";
  expect(token).toMatch(/^brg_/);
  const row = page.getByTestId("api-client-row").filter({ hasText: "Okta" });
  await expect(row).toContainText("Staff at Harbor Burger Pier 39");
  await expectAccessible(page);

  const scim = (path: string) => `${server.url}/scim/v2${path}`;
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/scim+json" };
  const created = await request.post(scim("/Users"), {
    headers,
    data: {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: "noor.okta@harbor.example",
      name: { givenName: "Noor", familyName: "Okta" },
      emails: [{ value: "noor.okta@harbor.example", primary: true, type: "work" }],
      active: true,
    },
  });
  expect(created.status()).toBe(201);

  await page.goto("/users?managed=scim");
  await hydrated(page);
  await expect(peopleTable(page)).toContainText("Noor Okta");

  await page.goto("/security?tab=scim");
  await hydrated(page);
  await page.getByTestId("api-client-row").filter({ hasText: "Okta" }).getByRole("button", { name: "Revoke Okta" }).click();
  await expect(page.getByTestId("api-client-row").filter({ hasText: "Okta" })).toContainText("Revoked");
  const after = await request.get(scim("/Users"), { headers });
  expect(after.status()).toBe(401);
});
