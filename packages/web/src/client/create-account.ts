import { api } from "./api.ts";
import { $, onSubmit, value } from "./form.ts";
import { loadConfig, signIn } from "./session.ts";

const form = $("#create-account") as HTMLFormElement;
const { passwordPolicy: policy } = await loadConfig();
const rules = [`at least ${policy.minimumLength} characters`];
if (policy.requireUppercase) rules.push("an uppercase letter");
if (policy.requireLowercase) rules.push("a lowercase letter");
if (policy.requireNumbers) rules.push("a number");
if (policy.requireSymbols) rules.push("a symbol");
$("#password-hint").textContent = `Use ${rules.join(", ")}.`;

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
