/* The project's small page behaviours, in one static file instead of inline handlers: the
 * Content-Security-Policy (settings.CONTENT_SECURITY_POLICY) runs no inline script and
 * applies no style= attribute. Each behaviour is asked for by a data-* attribute:
 *
 *   data-autosubmit            a select or checkbox that submits its form when changed
 *   data-confirm="question"    a form that asks before it is submitted
 *   data-select-on-click       an input whose text is selected when clicked (a link to copy)
 *   data-now-iso               a hidden input filled with the browser's time (ISO 8601)
 *   data-mark-present="#sheet" a button ticking "present" for everyone not yet ticked
 *   data-fullscreen            a hidden button shown where the browser can go full screen
 *   data-width="42.5"          an element whose width is that percentage (figures' bars)
 *
 * Events are caught on the document, so content swapped in by htmx works as well; the
 * one-off settings (data-now-iso, data-fullscreen, data-width) run on each htmx load. */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) field.form.submit();
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target.closest) return;
    if (target.matches("[data-select-on-click]")) target.select();
    var button = target.closest("[data-mark-present]");
    if (button) {
      var sheet = document.querySelector(button.getAttribute("data-mark-present"));
      if (!sheet) return;
      sheet.querySelectorAll("input[value=present]").forEach(function (input) {
        var ticked = sheet.querySelector("input[name='" + input.name + "']:checked");
        if (!ticked) input.checked = true;
      });
    }
    var full = target.closest("[data-fullscreen]");
    if (full && document.documentElement.requestFullscreen) document.documentElement.requestFullscreen();
  });

  function each(root, selector, action) {
    if (root.matches && root.matches(selector)) action(root);
    root.querySelectorAll(selector).forEach(action);
  }

  function settle(root) {
    each(root, "[data-now-iso]", function (input) { input.value = new Date().toISOString(); });
    if (document.documentElement.requestFullscreen) {
      each(root, "[data-fullscreen]", function (button) { button.hidden = false; });
    }
    each(root, "[data-width]", function (el) {
      var width = parseFloat(el.getAttribute("data-width"));
      if (isFinite(width)) el.style.width = Math.max(0, Math.min(100, width)) + "%";
    });
  }

  if (window.htmx) {
    window.htmx.onLoad(settle); // the whole page at first, then each swapped-in fragment
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { settle(document); });
  } else {
    settle(document);
  }
})();
