import { $, onSubmit, value } from "./form.ts";
import { noticeText } from "./notices.ts";
import { currentSession, signInWithEmail } from "./session.ts";
import { warmUpSignIn } from "./srp-warm-up.ts";

const form = $("#sign-in") as HTMLFormElement;
onSubmit(form, async () => {
  await signInWithEmail(value(form, "email").trim(), value(form, "password"));
  location.assign("/account");
});
$("#notice").textContent = noticeText(new URLSearchParams(location.search).get("notice"));
if (await currentSession()) location.replace("/account");
else warmUpSignIn();
