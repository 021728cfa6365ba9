import { $, onSubmit, value } from "./form.ts";
import { currentSession, signIn } from "./session.ts";

const form = $("#sign-in") as HTMLFormElement;
if (await currentSession()) location.replace("/account");
const notice = new URLSearchParams(location.search).get("notice");
if (notice) $("#notice").textContent = notice;

onSubmit(form, async () => {
  await signIn(value(form, "email").trim(), value(form, "password"));
  location.assign("/account");
});
