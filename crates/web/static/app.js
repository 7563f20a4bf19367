// Anpei: small progressive enhancements; every page works without this file.
// After htmx swaps search results in, move focus to them so keyboard and screen-reader
// users land on what changed.
document.addEventListener("htmx:afterSwap", function (event) {
  var target = document.getElementById("results");
  if (target && event.detail && event.detail.target && event.detail.target.id === "results") {
    target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: false });
  }
});

// Roster uploads: show how much of the file has gone up, then that the server is checking
// and importing; the answer page replaces this one as a normal form post would.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.hasAttribute || !form.hasAttribute("data-upload-progress") || !window.XMLHttpRequest) {
    return;
  }
  event.preventDefault();
  var box = form.querySelector(".upload-progress");
  var bar = box.querySelector("progress");
  var status = box.querySelector("[role=status]");
  var button = form.querySelector("button[type=submit]");
  box.hidden = false;
  button.disabled = true;
  var xhr = new XMLHttpRequest();
  xhr.open("POST", form.action);
  xhr.upload.addEventListener("progress", function (e) {
    if (e.lengthComputable) {
      var percent = Math.round((e.loaded / e.total) * 100);
      bar.value = percent;
      status.textContent = form.getAttribute("data-uploading") + " " + percent + "%";
    }
  });
  xhr.upload.addEventListener("load", function () {
    bar.removeAttribute("value"); // indeterminate while the server works
    status.textContent = form.getAttribute("data-working");
  });
  xhr.addEventListener("load", function () {
    document.open();
    document.write(xhr.responseText);
    document.close();
    history.replaceState(null, "", form.action);
  });
  xhr.addEventListener("error", function () {
    button.disabled = false;
    form.submit();
  });
  xhr.send(new FormData(form));
});

// The proctor's console refreshes every 5 s; not while a control in it has focus, so a
// proctor choosing extra minutes does not lose the choice to a refresh.
document.addEventListener("htmx:beforeRequest", function (event) {
  var live = document.getElementById("console-live");
  if (live && event.target === live && live.contains(document.activeElement) && document.activeElement !== live) {
    event.preventDefault();
  }
});

// A link to a closed <details> (the exam forms: "#site-form") opens it.
function openTargetDetails() {
  var target = location.hash && document.getElementById(location.hash.slice(1));
  if (target && target.tagName === "DETAILS") {
    target.open = true;
  }
}
window.addEventListener("hashchange", openTargetDetails);
document.addEventListener("DOMContentLoaded", openTargetDetails);
