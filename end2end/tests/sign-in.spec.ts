import { expect, test } from "./fixtures";
import { DEMO_PASSWORD, MANAGER, expectAccessible, hydrated, mailedLink, onSignInPage, signIn, signInAndWait, totpCode } from "./helpers";

test("a person who forgot their password gets a link by mail and every session of theirs ends", async ({
  page,
  browser,
  server,
}) => {
  // Signed in elsewhere before the reset.
  const elsewhere = await browser.newContext({ baseURL: server.url });
  const earlier = await elsewhere.newPage();
  await signInAndWait(earlier, MANAGER);

  await page.goto("/login");
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page).toHaveURL(/\/forgot$/);
  await expect(page.getByRole("heading", { level: 1, name: "Forgot your password?" })).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);
  await page.getByLabel("Email").fill("not an address");
  await page.getByRole("button", { name: "Send the link" }).click();
  await expect(page.locator("#email-error")).not.toBeEmpty();
  await page.getByLabel("Email").fill(MANAGER);
  await page.getByRole("button", { name: "Send the link" }).click();
  await expect(page.getByTestId("reset-requested")).toContainText("a link to choose a new password is on its way");

  let link: string | undefined;
  await expect.poll(() => (link = mailedLink(server.outbox, MANAGER, "/reset/"))).toBeTruthy();
  await page.goto(link!);
  await hydrated(page);
  await expect(page.getByTestId("reset-email")).toHaveText(MANAGER);
  await expectAccessible(page);
  await page.getByLabel("New password").fill("a-brand-new-password");
  await page.getByLabel("Repeat the password").fill("a-brand-new-password");
  await page.getByRole("button", { name: "Set the new password" }).click();
  await expect(page).toHaveURL(/\/login\?reset=1/);
  await expect(page.getByRole("status")).toContainText("every session of yours has ended");

  await earlier.reload();
  await expect(earlier).toHaveURL(/\/login/);
  await elsewhere.close();

  await signIn(page, MANAGER, DEMO_PASSWORD);
  await expect(page.getByRole("alert")).toHaveText("Email or password is incorrect.");
  await signIn(page, MANAGER, "a-brand-new-password");
  await expect(page).toHaveURL(/\/users/);

  // The link worked once.
  await page.goto(link!);
  await expect(page.getByRole("alert")).toContainText("This link is invalid, already used or expired.");
  await expect(page.getByRole("link", { name: "Ask for a new link" })).toBeVisible();
});

test("a person turns on two-step sign-in, then signs in with a code from their app", async ({ page }) => {
  await signInAndWait(page, MANAGER);
  await page.goto("/me");
  await hydrated(page);
  await expect(page.getByTestId("two-step-state")).toContainText("Off");
  await page.getByRole("link", { name: "Set up two-step sign-in" }).click();
  await expect(page).toHaveURL(/\/me\/two-step$/);
  await hydrated(page);
  await page.getByRole("button", { name: "Start" }).click();
  const secret = (await page.getByTestId("two-step-secret").textContent())!.trim();
  await expect(page.locator(".qr svg")).toBeVisible();
  await expectAccessible(page);
  const codeField = page.getByLabel("The 6-digit code the app shows now");
  await codeField.fill("000000");
  await page.getByRole("button", { name: "Turn on two-step sign-in" }).click();
  await expect(page.locator("#enrol-code-error")).toContainText("This code is not right");
  await codeField.fill(totpCode(secret));
  await page.getByRole("button", { name: "Turn on two-step sign-in" }).click();
  await expect(page.getByTestId("recovery-codes").locator("li")).toHaveCount(10);
  await page.getByTestId("enrol-done").click();
  await expect(page.getByTestId("two-step-state")).toContainText("10 unused recovery codes");

  await page.getByRole("button", { name: "Sign out" }).click();
  await onSignInPage(page);
  await signIn(page, MANAGER);
  await expect(page).toHaveURL(/\/login\/two-step/);
  await hydrated(page);
  await expectAccessible(page);
  // The code of the enrolment was taken; the app's next one signs in.
  await page.getByLabel("Code").fill(totpCode(secret, 1));
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page).toHaveURL(/\/users/);
  await expect(page.getByRole("heading", { level: 1, name: "People" })).toBeVisible();

  // My profile lists the sign-ins: this one, with its method, and the earlier one, signed out.
  await page.goto("/me");
  await hydrated(page);
  const signIns = page.getByTestId("sign-ins");
  await expect(signIns.locator("tbody tr").first()).toContainText("Password and authenticator code");
  await expect(signIns.locator("tbody tr").first()).toContainText("This session");
  await expect(signIns.locator("tbody tr").nth(1)).toContainText("Ended");
  await expectAccessible(page);
});

test.describe("passkeys", () => {
  // Browsers refuse passkeys for an IP address: this server is reached at localhost.
  test.use({ localhost: true });

  test("a person adds a passkey on My profile, then signs in with it alone", async ({ page }) => {
    // Chromium's virtual authenticator plays the device (its user verification always passes).
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: {
        protocol: "ctap2",
        transport: "internal",
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
      },
    });

    await signInAndWait(page, MANAGER);
    await page.goto("/me");
    await hydrated(page);
    await expect(page.getByTestId("no-passkeys")).toBeVisible();
    // The password proves it is the person before a lasting way in is added.
    await page.getByLabel("Name of the new passkey").fill("Work laptop");
    await page.locator("#passkey-password").fill("not-the-password");
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await expect(page.locator("#passkey-password-error")).toContainText("not your current password");
    await page.locator("#passkey-password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await expect(page.getByTestId("passkey-added")).toContainText("Work laptop");
    await expect(page.getByTestId("passkeys")).toContainText("Work laptop");
    const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0].isResidentCredential).toBe(true);
    await expectAccessible(page);

    await page.getByRole("button", { name: "Sign out" }).click();
    await onSignInPage(page);
    await page.getByTestId("passkey-sign-in").click();
    await expect(page).toHaveURL(/\/users/);
    await expect(page.getByRole("heading", { level: 1, name: "People" })).toBeVisible();

    await page.goto("/me");
    await hydrated(page);
    const signIns = page.getByTestId("sign-ins");
    await expect(signIns.locator("tbody tr").first()).toContainText("Passkey");
    await expect(signIns.locator("tbody tr").first()).toContainText("This session");
    await expect(page.getByTestId("passkeys")).not.toContainText("Never");

    // Removed, it signs nobody in.
    await page.getByRole("button", { name: "Remove Work laptop" }).click();
    await expect(page.getByTestId("no-passkeys")).toBeVisible();
    await page.getByRole("button", { name: "Sign out" }).click();
    await onSignInPage(page);
    await page.getByTestId("passkey-sign-in").click();
    await expect(page.getByRole("alert").filter({ hasText: "does not know this passkey" })).toBeVisible();
  });
});
