// Form plumbing shared by the pages: read fields, show errors beside them, announce, move focus.
import { describeError } from "./messages.ts";

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

export function showErrors(form: HTMLFormElement, error: unknown): void {
  clearErrors(form);
  let focused = false;
  for (const { field, message } of describeError(error)) {
    const input = field ? form.querySelector<HTMLInputElement>(`input[name="${field}"]`) : null;
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

/** Runs `action` on submit with the button busy, showing any error it throws. */
export function onSubmit(form: HTMLFormElement, action: () => Promise<void>): void {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const button = form.querySelector<HTMLButtonElement>("button[type=submit]");
    if (button) button.disabled = true;
    clearErrors(form);
    action()
      .catch((error: unknown) => showErrors(form, error))
      .finally(() => {
        if (button) button.disabled = false;
      });
  });
}
