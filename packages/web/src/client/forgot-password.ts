// "Forgot your password?" through the API, which ends every session of the account once the new
// password is set; the person is then signed in with it at once.
import { api } from "./api.ts";
import { $, clearErrors, onSubmit, showErrors, value } from "./form.ts";
import { ASKING_FOR_CODES } from "./messages.ts";
import { goToSignIn } from "./notices.ts";
import { describePolicy } from "./policy-hint.ts";
import { loadConfig, signInWithEmail } from "./session.ts";

const request = $("#request-code") as HTMLFormElement;
const reset = $("#reset") as HTMLFormElement;
let email = "";

const sendCode = () => api("/password-reset", { method: "POST", auth: false, body: { email } });

onSubmit(
  request,
  async () => {
    email = value(request, "email").trim();
    await sendCode();
    request.hidden = true;
    reset.hidden = false;
    // The same answer whether or not the email has an account: the API does not say either.
    $("#sent-to").textContent = `If an account uses ${email}, we have sent it a code.`;
    ($("#code") as HTMLInputElement).focus();
  },
  ASKING_FOR_CODES,
);

const resend = $("#resend") as HTMLButtonElement;
resend.addEventListener("click", async () => {
  resend.disabled = true;
  clearErrors(reset);
  $("#resend-status").textContent = "";
  try {
    await sendCode();
    ($("#code") as HTMLInputElement).value = "";
    $("#resend-status").textContent = "We have sent a new code. Use the latest one.";
    ($("#code") as HTMLInputElement).focus();
  } catch (error) {
    showErrors(reset, error, ASKING_FOR_CODES);
  } finally {
    resend.disabled = false;
  }
});

onSubmit(reset, async () => {
  $("#resend-status").textContent = "";
  const password = value(reset, "password");
  await api("/password-reset/confirm", {
    method: "POST",
    auth: false,
    body: { email, code: value(reset, "code").replace(/\s+/g, ""), password },
  });
  try {
    await signInWithEmail(email, password);
  } catch {
    return goToSignIn("password-reset");
  }
  location.assign("/account?notice=password-reset-signed-in");
});
$("#password-hint").textContent = describePolicy((await loadConfig()).passwordPolicy);
