// Progressive enhancement without inline script (the Content-Security-Policy forbids it):
// a control marked data-submit-on-change submits its form when its value changes.
document.addEventListener("change", (event) => {
  const control = event.target;
  if (control instanceof HTMLElement && control.hasAttribute("data-submit-on-change")) {
    control.form?.submit();
  }
});
