// Asks before an action: a form with data-confirm (and data-confirm-again, for a forced one)
// is submitted only once the operator agreed. A file of its own because pgferry's
// Content-Security-Policy allows no inline script. Listening on the document also covers forms
// that htmx swapped in after the page loaded.
document.addEventListener('submit', function (event) {
  var form = event.target;
  var question = form.getAttribute && form.getAttribute('data-confirm');
  if (!question) {
    return;
  }
  var again = form.getAttribute('data-confirm-again');
  if (!window.confirm(question) || (again && !window.confirm(again))) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
