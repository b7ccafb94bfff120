// Shows progress while files upload. Without this script the form still
// posts normally; with it, the answer page replaces this one when done.
"use strict";

(function () {
  var form = document.querySelector("form.app-upload-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) {
    return;
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var box = form.querySelector(".app-upload-progress");
    var bar = form.querySelector("progress");
    var button = form.querySelector("button[type=submit]");
    box.hidden = false;
    button.disabled = true;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        bar.value = Math.round((e.loaded / e.total) * 100);
        bar.textContent = bar.value + "%";
      }
    });
    xhr.addEventListener("load", function () {
      // The server answers with a whole page: the preview or the problems.
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      document.title = doc.title;
      document.body.replaceWith(document.adoptNode(doc.body));
      if (xhr.responseURL && xhr.responseURL !== window.location.href) {
        window.history.pushState(null, "", xhr.responseURL);
      }
      var summary = document.querySelector(".govuk-error-summary");
      if (summary) {
        summary.focus();
      } else {
        var h1 = document.querySelector("h1");
        if (h1) {
          h1.setAttribute("tabindex", "-1");
          h1.focus();
        }
      }
    });
    xhr.addEventListener("error", function () {
      box.hidden = true;
      button.disabled = false;
      window.alert("The upload failed: check your connection and try again.");
    });
    xhr.send(new FormData(form));
  });
})();
