import { api } from "./api.ts";
import { $, onSubmit, value } from "./form.ts";
import { describePolicy } from "./policy-hint.ts";
import { loadConfig, signIn } from "./session.ts";
import { warmUpSignIn } from "./srp-warm-up.ts";

const form = $("#create-account") as HTMLFormElement;
onSubmit(form, async () => {
  const email = value(form, "email").trim();
  const password = value(form, "password");
  // The password goes to our server once, over HTTPS, to set up the account; sign-in is then SRP.
  await api("/accounts", {
    method: "POST",
    auth: false,
    body: { name: value(form, "name"), email, password },
  });
  await signIn(email, password);
  location.assign("/account");
});
$("#password-hint").textContent = describePolicy((await loadConfig()).passwordPolicy);
warmUpSignIn();
