// Messages the sign-in page shows after another page sends the user there. The address carries
// only a key: text taken from the URL would let any link put words on our sign-in page.
export const NOTICES = {
  "signed-out": "You have signed out.",
  "session-ended": "Your session has ended. Please sign in again.",
  deleted: "Your account has been deleted.",
  "password-reset": "Your password has been reset. Sign in with the new one.",
  "password-changed": "Your password has been changed. Sign in with the new one.",
  "password-reset-signed-in":
    "Your password has been reset, and every other device has been signed out.",
  "account-created": "Your account has been created. Sign in to confirm your email.",
} as const;

export type Notice = keyof typeof NOTICES;

export function noticeText(key: string | null): string {
  return key !== null && Object.hasOwn(NOTICES, key) ? NOTICES[key as Notice] : "";
}

export function goToSignIn(notice?: Notice): void {
  location.replace(notice ? `/?notice=${notice}` : "/");
}
