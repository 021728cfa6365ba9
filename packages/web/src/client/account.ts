// The account page. An account whose email is not yet proven shows the verification step instead:
// the code we sent, "Send a new code", and then the account itself.
import { ApiError, api } from "./api.ts";
import { $, clearErrors, onSubmit, showErrors, value } from "./form.ts";
import { ASKING_FOR_CODES, describeError } from "./messages.ts";
import { goToSignIn, noticeText } from "./notices.ts";
import { forgetPending } from "./pending-registration.ts";
import { describePolicy } from "./policy-hint.ts";
import { currentSession, loadConfig, signIn, signOutLocally } from "./session.ts";

interface Account {
  id: string;
  name: string;
  email: string;
  status: "unverified" | "active";
}

/** A 401 after api.ts's one refresh: the session was ended elsewhere (sign-out, new password). */
const sessionOver = (error: unknown) => error instanceof ApiError && error.problem.status === 401;

async function endSession(): Promise<void> {
  await signOutLocally();
  goToSignIn("session-ended");
}

/** Runs an action; a session that turns out to be over sends the person to sign in at once. */
const guarded = (action: () => Promise<void>) => async () => {
  // A notice is about what just happened; it goes once the person does something else.
  $("#notice").textContent = "";
  try {
    await action();
  } catch (error) {
    if (sessionOver(error)) return endSession();
    throw error;
  }
};

let account: Account | null = null;

function show(a: Account): void {
  account = a;
  const unverified = a.status === "unverified";
  $("#verify").hidden = !unverified;
  $("#account").hidden = unverified;
  if (unverified) {
    document.title = "Confirm your email · Gatehouse";
    $("#verify-email").textContent = a.email;
    ($("#code") as HTMLInputElement).focus();
    return;
  }
  document.title = "Your account · Gatehouse";
  $("#account-name").textContent = a.name;
  $("#account-email").textContent = a.email;
  ($("#name") as HTMLInputElement).value = a.name;
  ($("#username") as HTMLInputElement).value = a.email;
}

const verify = $("#verify-email-form") as HTMLFormElement;
onSubmit(
  verify,
  guarded(async () => {
    const code = value(verify, "code").replace(/\s+/g, "");
    if (!code) {
      throw new ApiError({
        status: 400,
        code: "validation_failed",
        detail: "No code",
        errors: [{ field: "code", message: "Enter the code from the email." }],
      });
    }
    const verified = (await api("/me/email-verification", {
      method: "POST",
      body: { code },
    })) as Account;
    forgetPending(verified.email);
    verify.reset();
    $("#notice").textContent = "Your email is confirmed.";
    show(verified);
  }),
  {
    email_taken: {
      field: "code",
      message:
        "Another account has already confirmed this email. Sign in to it, or reset its password.",
    },
  },
);

const resend = $("#resend") as HTMLButtonElement;
resend.addEventListener("click", async () => {
  resend.disabled = true;
  clearErrors(verify);
  $("#resend-status").textContent = "";
  try {
    await api("/me/email-verification", { method: "POST", body: {} });
    ($("#code") as HTMLInputElement).value = "";
    $("#resend-status").textContent = `We have sent a new code to ${account?.email ?? "you"}.`;
    ($("#code") as HTMLInputElement).focus();
  } catch (error) {
    if (sessionOver(error)) return endSession();
    showErrors(verify, error, ASKING_FOR_CODES);
  } finally {
    resend.disabled = false;
  }
});

const rename = $("#rename") as HTMLFormElement;
onSubmit(
  rename,
  guarded(async () => {
    $("#rename-status").textContent = "";
    show((await api("/me", { method: "PATCH", body: { name: value(rename, "name") } })) as Account);
    $("#rename-status").textContent = "Saved.";
  }),
);

const change = $("#change-password") as HTMLFormElement;
onSubmit(
  change,
  guarded(async () => {
    $("#change-status").textContent = "";
    const newPassword = value(change, "newPassword");
    await api("/me/password", {
      method: "POST",
      body: { currentPassword: value(change, "currentPassword"), newPassword },
    });
    // Every token issued before the change is now refused, this tab's included: sign in again with
    // the new password while it is still in memory, so the person need not type it.
    const id = account?.id;
    try {
      if (!id) throw new Error("no account");
      await signIn(id, newPassword);
    } catch {
      await signOutLocally();
      return goToSignIn("password-changed");
    }
    change.reset();
    if (account) ($("#username") as HTMLInputElement).value = account.email;
    $("#change-status").textContent =
      "Your password has been changed. Every other device has been signed out.";
  }),
  {
    too_many_attempts: {
      field: "currentPassword",
      message: "Too many attempts. Wait a few minutes, then try again.",
    },
  },
);

async function signOut(): Promise<void> {
  try {
    await api("/me/sign-out", { method: "POST" });
  } finally {
    await signOutLocally();
    goToSignIn("signed-out");
  }
}
$("#sign-out").addEventListener("click", signOut);
$("#verify-sign-out").addEventListener("click", signOut);

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
onSubmit(
  remove,
  guarded(async () => {
    if (value(remove, "confirm").trim().toLowerCase() !== account?.email.toLowerCase()) {
      $("#confirm-error").textContent = "Type your email exactly to confirm.";
      $("#confirm").setAttribute("aria-invalid", "true");
      $("#confirm").focus();
      return;
    }
    await api("/me", { method: "DELETE" });
    await signOutLocally();
    goToSignIn("deleted");
  }),
);

if (!(await currentSession())) goToSignIn();
else
  try {
    $("#new-password-hint").textContent = describePolicy((await loadConfig()).passwordPolicy);
    show((await api("/me")) as Account);
    $("#notice").textContent = noticeText(new URLSearchParams(location.search).get("notice"));
    // Shown once: a reload should not announce it again.
    if (location.search) history.replaceState(null, "", location.pathname);
  } catch (error) {
    if (sessionOver(error)) await endSession();
    else {
      $("#load-error").textContent = describeError(error)
        .map((e) => e.message)
        .join(" ");
    }
  }
