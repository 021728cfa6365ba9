import { ApiError, api } from "./api.ts";
import { $, onSubmit, value } from "./form.ts";
import { describeError } from "./messages.ts";
import { goToSignIn } from "./notices.ts";
import { describePolicy } from "./policy-hint.ts";
import { currentSession, loadConfig, signOutLocally, userPool } from "./session.ts";

interface Account {
  id: string;
  name: string;
  email: string;
}

let account: Account | null = null;
const render = (a: Account) => {
  account = a;
  $("#account-name").textContent = a.name;
  $("#account-email").textContent = a.email;
  ($("#name") as HTMLInputElement).value = a.name;
  ($("#username") as HTMLInputElement).value = a.email;
};

const rename = $("#rename") as HTMLFormElement;
onSubmit(rename, async () => {
  $("#rename-status").textContent = "";
  render((await api("/me", { method: "PATCH", body: { name: value(rename, "name") } })) as Account);
  $("#rename-status").textContent = "Saved.";
});

const change = $("#change-password") as HTMLFormElement;
onSubmit(
  change,
  async () => {
    $("#change-status").textContent = "";
    const session = await currentSession();
    const user = (await userPool()).getCurrentUser();
    if (!session || !user) return goToSignIn("session-ended");
    user.setSignInUserSession(session);
    await new Promise<void>((resolve, reject) =>
      user.changePassword(value(change, "current"), value(change, "password"), (error) =>
        error ? reject(error) : resolve(),
      ),
    );
    change.reset();
    $("#change-status").textContent = "Your password has been changed.";
  },
  {
    NotAuthorizedException: {
      field: "current",
      message: "That is not your current password.",
    },
  },
);

$("#sign-out").addEventListener("click", async () => {
  try {
    await api("/me/sign-out", { method: "POST" });
  } finally {
    await signOutLocally();
    goToSignIn("signed-out");
  }
});

const remove = $("#delete") as HTMLFormElement;
$("#delete-start").addEventListener("click", () => {
  remove.hidden = false;
  $("#delete-start").hidden = true;
  ($("#confirm") as HTMLInputElement).focus();
});
$("#delete-cancel").addEventListener("click", () => {
  remove.hidden = true;
  $("#delete-start").hidden = false;
  $("#delete-start").focus();
});
onSubmit(remove, async () => {
  if (value(remove, "confirm").trim().toLowerCase() !== account?.email.toLowerCase()) {
    $("#confirm-error").textContent = "Type your email exactly to confirm.";
    $("#confirm").setAttribute("aria-invalid", "true");
    $("#confirm").focus();
    return;
  }
  await api("/me", { method: "DELETE" });
  await signOutLocally();
  goToSignIn("deleted");
});

if (!(await currentSession())) goToSignIn();
else
  try {
    render((await api("/me")) as Account);
    $("#new-password-hint").textContent = describePolicy((await loadConfig()).passwordPolicy);
    $("#account").hidden = false;
  } catch (error) {
    if (error instanceof ApiError && error.problem.status === 401) {
      // Refused even after one refresh: the session is over.
      await signOutLocally();
      goToSignIn("session-ended");
    } else {
      $("#load-error").textContent = describeError(error)
        .map((e) => e.message)
        .join(" ");
    }
  }
