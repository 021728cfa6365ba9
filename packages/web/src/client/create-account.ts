import { api } from "./api.ts";
import { $, onSubmit, value } from "./form.ts";
import { goToSignIn } from "./notices.ts";
import { rememberPending } from "./pending-registration.ts";
import { describePolicy } from "./policy-hint.ts";
import { loadConfig, signIn } from "./session.ts";
import { warmUpSignIn } from "./srp-warm-up.ts";

const form = $("#create-account") as HTMLFormElement;
onSubmit(form, async () => {
  const email = value(form, "email").trim();
  const password = value(form, "password");
  // The password goes to our server once, over HTTPS, to set up the account; sign-in is then SRP.
  const account = (await api("/accounts", {
    method: "POST",
    auth: false,
    body: { name: value(form, "name"), email, password },
  })) as { id: string; status: string };
  // Until its email is verified the account signs in by its id, not its email (see
  // pending-registration.ts); the account page then asks for the code.
  if (account.status !== "active") rememberPending(email, account.id);
  try {
    await signIn(account.id, password);
  } catch {
    // The account exists: creating it again is not the way on.
    return goToSignIn("account-created");
  }
  location.assign("/account");
});
$("#password-hint").textContent = describePolicy((await loadConfig()).passwordPolicy);
warmUpSignIn();
