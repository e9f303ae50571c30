/* Vividly site-wide behaviour: toasts, suggestion picking. Plain JS, no build step. */
(function () {
  "use strict";

  function dismiss(toast) {
    toast.style.transition = "opacity .2s";
    toast.style.opacity = "0";
    setTimeout(function () { toast.remove(); }, 200);
  }

  function wireToasts(root) {
    root.querySelectorAll("[data-toast]").forEach(function (toast) {
      if (toast.dataset.wired) return;
      toast.dataset.wired = "1";
      var close = toast.querySelector("[data-toast-close]");
      if (close) close.addEventListener("click", function () { dismiss(toast); });
      var timer = setTimeout(function () { dismiss(toast); }, 7000);
      // Never auto-dismiss while the user is reading or focused on it.
      toast.addEventListener("mouseenter", function () { clearTimeout(timer); });
      toast.addEventListener("focusin", function () { clearTimeout(timer); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { wireToasts(document); });
  document.addEventListener("htmx:afterSettle", function (e) { wireToasts(e.target); });

  // Picking a suggested catalogue section fills the hidden topic field of the Ask form.
  document.addEventListener("click", function (e) {
    var pick = e.target.closest("[data-pick-topic]");
    if (!pick) return;
    var form = pick.closest("form");
    if (!form) return;
    form.querySelector("[name=topic]").value = pick.dataset.pickTopic;
    form.querySelectorAll("[data-pick-topic]").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
    pick.setAttribute("aria-pressed", "true");
    var chosen = form.querySelector("[data-chosen-topic]");
    if (chosen) chosen.textContent = "Topic: " + pick.dataset.title;
  });
})();
