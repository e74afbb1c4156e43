import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { resolve } from "node:path";
import { test, expect, freePort } from "./fixtures";
import { ADMIN, DEMO_PASSWORD, MANAGER, expectAccessible, hydrated, onSignInPage, signIn, signInAndWait } from "./helpers";

// Single sign-on end to end against a real OpenID Provider: npm's oidc-provider (certified),
// started here on loopback for this test; its development login page accepts any login, and
// the account's email is the login typed.
test.use({ localhost: true });

const CLIENT_ID = "brigade-harbor";
const CLIENT_SECRET = "harbor-client-secret-for-the-test";

async function startProvider(redirectUri: string) {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const { default: Provider } = await import("oidc-provider");
  const provider = new Provider(issuer, {
    clients: [{ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [redirectUri] }],
    claims: { email: ["email", "email_verified"], profile: ["name"] },
    pkce: { required: () => true },
    ttl: { AccessToken: 600, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
    async findAccount(_ctx: unknown, id: string) {
      return { accountId: id, claims: async () => ({ sub: `okta|${id}`, email: id, email_verified: true }) };
    },
  });
  const listening = provider.listen(port);
  return { issuer, stop: () => new Promise<void>((done) => listening.close(() => done())) };
}

test("an organization signs its people in with its identity provider, and can require it", async ({ page, server }) => {
  const provider = await startProvider(`${server.url}/auth/sso/callback`);
  try {
    // The owner sets the connection up on Security & Permissions > Sign-in …
    await signInAndWait(page, ADMIN);
    await page.goto("/security?tab=sign-in");
    await hydrated(page);
    await page.getByLabel("Issuer URL").fill(provider.issuer);
    await page.getByLabel("Client id").fill(CLIENT_ID);
    await page.getByLabel("Client secret").fill(CLIENT_SECRET);
    await page.getByLabel("Name people see (Continue with …)").fill("Harbor Okta");
    await page.getByRole("button", { name: "Set up single sign-on" }).click();
    await expect(page.getByTestId("sso-connection")).toContainText("Continue with Harbor Okta");
    await expect(page.getByTestId("sso-connection")).not.toContainText(CLIENT_SECRET);
    await expect(page.getByTestId("sso-domains")).toContainText("None yet");

    // … and the operator claims the domain from the command line (run apart: the provider
    // answers from this process meanwhile).
    await promisify(execFile)(resolve(__dirname, "..", "..", "target", "debug", "brigade"), [
      "sso", "add", "--org", "harbor", "--issuer", provider.issuer, "--client-id", CLIENT_ID,
      "--name", "Harbor Okta", "--domain", "harbor.example",
    ], { env: { ...process.env, DATABASE_URL: server.database, BRIGADE_SSO_CLIENT_SECRET: CLIENT_SECRET, RUST_LOG: "error" } });
    await page.reload();
    await hydrated(page);
    await expect(page.getByTestId("sso-domains")).toHaveText("harbor.example");
    await page.getByRole("switch", { name: "Require single sign-on" }).click();
    await expect(page.getByRole("switch", { name: "Require single sign-on" })).toHaveAttribute("aria-checked", "true");
    await expectAccessible(page);
    await page.getByRole("button", { name: "Sign out" }).click();
    await onSignInPage(page);

    // A manager's password is refused now, pointing to single sign-on.
    await signIn(page, MANAGER);
    await expect(page.getByRole("alert").filter({ hasText: "Harbor Okta" })).toBeVisible();

    // Single sign-on: the page names the organization's provider for the email given.
    await page.getByLabel("Work email").fill(MANAGER);
    await page.getByRole("button", { name: "Find my organization's sign-on" }).click();
    await expect(page.getByTestId("sso-continue")).toHaveText("Continue with Harbor Okta");
    await expectAccessible(page);
    await page.getByTestId("sso-continue").click();
    // The provider's development pages: any password, then consent.
    await expect(page.locator("input[name=login]")).toHaveValue(MANAGER);
    await page.locator("input[name=password]").fill("anything");
    await page.getByRole("button", { name: "Sign-in" }).click();
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(page).toHaveURL(new RegExp(`^${server.url}/(users|me|outlets)`));
    await page.goto("/me");
    await hydrated(page);
    await expect(page.getByTestId("sign-ins").locator("tbody tr").first()).toContainText("Single sign-on");

    // The owner keeps the password as a way in.
    await page.getByRole("button", { name: "Sign out" }).click();
    await onSignInPage(page);
    await signIn(page, ADMIN, DEMO_PASSWORD);
    await expect(page).toHaveURL(/\/users/);
  } finally {
    await provider.stop();
  }
});
