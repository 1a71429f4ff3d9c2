// Chartfleet dashboard: the little behaviour the pages need (no framework, served by the app).
// - forms with data-confirm ask before a destructive action is sent;
// - buttons with data-copy copy the text of the element it names (keys and secrets shown once).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("button[data-copy]");
  if (!button) return;
  var source = document.getElementById(button.getAttribute("data-copy"));
  if (!source) return;
  var text = source.textContent.trim();
  var done = function () { button.textContent = "Copied"; };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, function () { selectText(source); });
  } else {
    selectText(source);
    try { document.execCommand("copy"); done(); } catch (e) { /* selected: the user copies */ }
  }
});
function selectText(node) {
  var range = document.createRange();
  range.selectNodeContents(node);
  var selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}
// - forms with data-preview (brand kits, templates) post themselves, debounced, to that URL while
//   they are edited; the answer is the signed URL of the unsaved version's image (set on the <img>
//   named by data-preview-img) or the field errors (shown under the image).
(function () {
  var timers = new WeakMap();
  function refresh(form) {
    var img = document.getElementById(form.getAttribute("data-preview-img"));
    var note = document.getElementById("preview-error");
    fetch(form.getAttribute("data-preview"), {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json();
    }).then(function (answer) {
      if (answer.src) {
        img.hidden = false;
        img.src = answer.src;
        if (note) note.textContent = "";
      } else if (note) {
        note.textContent = Object.keys(answer.errors || {}).map(function (k) {
          return k + ": " + answer.errors[k];
        }).join(" ");
      }
    }).catch(function () {
      if (note) note.textContent = "The preview could not be refreshed.";
    });
  }
  function schedule(event) {
    var form = event.target.form;
    if (!form || !form.hasAttribute("data-preview")) return;
    clearTimeout(timers.get(form));
    timers.set(form, setTimeout(function () { refresh(form); }, 400));
  }
  document.addEventListener("input", schedule);
  document.addEventListener("change", schedule);
})();
