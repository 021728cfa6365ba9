import type { CognitoUserSession } from "amazon-cognito-identity-js";
import { ApiError, api } from "./api.ts";
import { $, onSubmit, value } from "./form.ts";
import { currentSession, signOutLocally, userPool } from "./session.ts";

interface Account {
  id: string;
  name: string;
  email: string;
}

const goToSignIn = (notice?: string) =>
  location.replace(notice ? `/?notice=${encodeURIComponent(notice)}` : "/");

async function load(): Promise<Account | null> {
  try {
    return (await api("/me")) as Account;
  } catch (error) {
    if (error instanceof ApiError && error.problem.status === 401) {
      await signOutLocally();
      goToSignIn("Please sign in.");
      return null;
    }
    throw error;
  }
}

const account = await load();
if (account) {
  const render = (a: Account) => {
    $("#account-name").textContent = a.name;
    $("#account-email").textContent = a.email;
    ($("#name") as HTMLInputElement).value = a.name;
  };
  render(account);
  $("#account").hidden = false;

  const rename = $("#rename") as HTMLFormElement;
  onSubmit(rename, async () => {
    render(
      (await api("/me", { method: "PATCH", body: { name: value(rename, "name") } })) as Account,
    );
    $("#rename-status").textContent = "Saved.";
  });

  const change = $("#change-password") as HTMLFormElement;
  onSubmit(change, async () => {
    const session = (await currentSession()) as CognitoUserSession;
    const user = (await userPool()).getCurrentUser();
    if (!user) return goToSignIn();
    user.setSignInUserSession(session);
    await new Promise<void>((resolve, reject) =>
      user.changePassword(value(change, "current"), value(change, "password"), (error) =>
        error ? reject(error) : resolve(),
      ),
    );
    change.reset();
    $("#change-status").textContent = "Your password has been changed.";
  });

  $("#sign-out").addEventListener("click", async () => {
    try {
      await api("/me/sign-out", { method: "POST" });
    } finally {
      await signOutLocally();
      goToSignIn("You have signed out.");
    }
  });

  const remove = $("#delete") as HTMLFormElement;
  $("#delete-start").addEventListener("click", () => {
    remove.hidden = false;
    ($("#confirm") as HTMLInputElement).focus();
  });
  $("#delete-cancel").addEventListener("click", () => {
    remove.hidden = true;
  });
  onSubmit(remove, async () => {
    if (value(remove, "confirm").trim().toLowerCase() !== account.email) {
      $("#confirm-error").textContent = "Type your email exactly to confirm.";
      $("#confirm").focus();
      return;
    }
    await api("/me", { method: "DELETE" });
    await signOutLocally();
    goToSignIn("Your account has been deleted.");
  });
}
