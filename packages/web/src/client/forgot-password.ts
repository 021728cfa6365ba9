import { $, onSubmit, value } from "./form.ts";
import { describePolicy } from "./policy-hint.ts";
import { cognitoUser, loadConfig } from "./session.ts";

const request = $("#request-code") as HTMLFormElement;
const reset = $("#reset") as HTMLFormElement;
let email = "";

onSubmit(request, async () => {
  email = value(request, "email").trim();
  const user = await cognitoUser(email);
  await new Promise<void>((resolve, reject) =>
    user.forgotPassword({
      onSuccess: () => resolve(),
      onFailure: reject,
      inputVerificationCode: () => resolve(),
    }),
  );
  request.hidden = true;
  reset.hidden = false;
  $("#sent-to").textContent = `If an account uses ${email}, we have sent it a code.`;
  ($("#code") as HTMLInputElement).focus();
});

onSubmit(reset, async () => {
  const user = await cognitoUser(email);
  await new Promise<void>((resolve, reject) =>
    user.confirmPassword(value(reset, "code").trim(), value(reset, "password"), {
      onSuccess: () => resolve(),
      onFailure: reject,
    }),
  );
  location.assign("/?notice=password-reset");
});
$("#password-hint").textContent = describePolicy((await loadConfig()).passwordPolicy);
