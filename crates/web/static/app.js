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

// Roster uploads: show how much of the file has gone up, then what the server is doing
// (rows checked, rows written, then the ledger and compliance update), asked every half
// second under a random token sent with the file; the answer page replaces this one as a
// normal form post would.
function progressToken() {
  if (window.crypto && crypto.randomUUID) {
    return crypto.randomUUID();
  }
  var token = "";
  for (var i = 0; i < 4; i++) {
    token += Math.floor(Math.random() * 0x100000000).toString(16);
  }
  return "t-" + token;
}

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
  var tokenField = form.querySelector("input[name=progress]");
  var token = progressToken();
  if (tokenField) {
    tokenField.value = token;
  }
  var zh = (document.documentElement.lang || "zh").indexOf("zh") === 0;
  var polling = null;
  var finished = false;
  function poll() {
    if (finished || !window.fetch) {
      return;
    }
    fetch(form.getAttribute("data-progress-url") + token, { credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (at) {
        if (!at || finished) {
          return;
        }
        var label = zh ? at.label_zh : at.label_en;
        if (at.total > 0) {
          bar.max = at.total;
          bar.value = at.done;
          status.textContent = label + " " + at.done.toLocaleString() + " / " + at.total.toLocaleString();
        } else {
          bar.removeAttribute("value");
          status.textContent = label + "…";
        }
      })
      .catch(function () {});
  }
  box.hidden = false;
  button.disabled = true;
  var xhr = new XMLHttpRequest();
  xhr.open("POST", form.action);
  xhr.upload.addEventListener("progress", function (e) {
    if (e.lengthComputable) {
      var percent = Math.round((e.loaded / e.total) * 100);
      bar.max = 100;
      bar.value = percent;
      status.textContent = form.getAttribute("data-uploading") + " " + percent + "%";
    }
  });
  xhr.upload.addEventListener("load", function () {
    bar.removeAttribute("value"); // indeterminate until the server reports
    status.textContent = form.getAttribute("data-working");
    polling = setInterval(poll, 500);
  });
  xhr.addEventListener("load", function () {
    finished = true;
    clearInterval(polling);
    document.open();
    document.write(xhr.responseText);
    document.close();
    history.replaceState(null, "", form.action);
  });
  xhr.addEventListener("error", function () {
    finished = true;
    clearInterval(polling);
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
// And at the click itself, so the form is open before anything else happens (hashchange
// comes a task later).
document.addEventListener("click", function (event) {
  var link = event.target && event.target.closest ? event.target.closest("a[href^='#']") : null;
  var target = link && document.getElementById(link.getAttribute("href").slice(1));
  if (target && target.tagName === "DETAILS") {
    target.open = true;
  }
});
document.addEventListener("DOMContentLoaded", openTargetDetails);

// A refused form brings its list of problems into view (the subsidy pages mark theirs).
(function () {
  var errors = document.querySelector("[data-focus-on-load]");
  if (errors) { errors.focus(); }
})();

// The subsidy application: the amount as rows are ticked, and a finder for long lists; the
// server computes both again.
(function () {
  var form = document.getElementById("subsidy-form");
  if (!form) { return; }
  var per = Number(form.getAttribute("data-per-person")) || 0;
  var picked = document.getElementById("picked");
  var amount = document.getElementById("amount");
  function update() {
    var n = form.querySelectorAll("input[name=certificate_ids]:checked").length;
    picked.textContent = String(n);
    amount.textContent = (n * per).toLocaleString("en-US");
  }
  form.addEventListener("change", update);
  update();
  var finder = document.getElementById("row-filter");
  if (finder) {
    finder.hidden = false;
    finder.querySelector("input").addEventListener("input", function (event) {
      var q = event.target.value.trim().toLowerCase();
      form.querySelectorAll("tr[data-search]").forEach(function (row) {
        row.hidden = q !== "" && row.getAttribute("data-search").indexOf(q) < 0;
      });
    });
  }
})();
