// Small progressive enhancement; every page works without it.
// - <select data-autosubmit> submits its form when changed (the language switch).
// - <form data-confirm="..."> asks before an irreversible action; so does an
//   <option data-confirm="..."> chosen when its form is sent (closing a case).
document.addEventListener("DOMContentLoaded", function () {
  document.documentElement.classList.add("js");
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });
  document.querySelectorAll("form").forEach(function (form) {
    if (!form.querySelector("option[data-confirm]")) { return; }
    form.addEventListener("submit", function (event) {
      var chosen = form.querySelector("option[data-confirm]:checked");
      if (chosen && !window.confirm(chosen.dataset.confirm)) { event.preventDefault(); }
    });
  });
});
