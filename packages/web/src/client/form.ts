// Form plumbing shared by the pages: read fields, show errors beside them, announce, move focus.
import { describeError, type ErrorOverrides } from "./messages.ts";

export function $(selector: string): HTMLElement {
  const element = document.querySelector<HTMLElement>(selector);
  if (!element) throw new Error(`missing ${selector}`);
  return element;
}

export function value(form: HTMLFormElement, name: string): string {
  const field = form.elements.namedItem(name);
  return field instanceof HTMLInputElement ? field.value : "";
}

export function clearErrors(form: HTMLFormElement): void {
  for (const element of form.querySelectorAll(".field-error")) element.textContent = "";
  for (const input of form.querySelectorAll("input")) input.removeAttribute("aria-invalid");
  const summary = form.querySelector(".form-error");
  if (summary) summary.textContent = "";
}

export function showErrors(
  form: HTMLFormElement,
  error: unknown,
  overrides: ErrorOverrides = {},
): void {
  clearErrors(form);
  let focused = false;
  for (const { field, message } of describeError(error, overrides)) {
    const input = field
      ? form.querySelector<HTMLInputElement>(`input[name="${CSS.escape(field)}"]`)
      : null;
    const slot = input
      ? form.querySelector(`#${input.id}-error`)
      : form.querySelector(".form-error");
    if (slot) slot.textContent = message;
    if (input) {
      input.setAttribute("aria-invalid", "true");
      if (!focused) input.focus();
      focused = true;
    }
  }
  if (!focused) form.querySelector<HTMLElement>(".form-error")?.focus();
}

/**
 * Runs `action` on submit with the button busy, showing any error it throws. Pages call this before
 * any `await`, so a submit never falls through to the browser's own (a GET would put the password
 * in the address).
 */
export function onSubmit(
  form: HTMLFormElement,
  action: () => Promise<void>,
  overrides: ErrorOverrides = {},
): void {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const button = form.querySelector<HTMLButtonElement>("button[type=submit]");
    if (button) button.disabled = true;
    clearErrors(form);
    action()
      .catch((error: unknown) => showErrors(form, error, overrides))
      .finally(() => {
        if (button) button.disabled = false;
      });
  });
}
