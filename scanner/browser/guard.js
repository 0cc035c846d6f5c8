// Installed before any page script runs, in every frame. A scan must never change anything on
// the site it looks at: forms are never submitted (cancelling in the page keeps the page as it
// was, where aborting the navigation would swap it for an error page), and dialogs never wait.
(() => {
  const noop = function () {};
  try {
    HTMLFormElement.prototype.submit = noop;
    HTMLFormElement.prototype.requestSubmit = noop;
  } catch (e) { /* frozen prototype: the capture listener below still cancels */ }
  window.addEventListener(
    "submit",
    (event) => {
      event.preventDefault();
      event.stopImmediatePropagation();
    },
    true,
  );
  // Windows a page would open are recorded, never opened: a popup's first request would leave
  // before anything could guard it, and what it shows is another page's business.
  const popups = [];
  Object.defineProperty(window, "__complyscanPopups", { value: popups });
  const recordPopup = (url) => {
    if (popups.length >= 50) return;
    try {
      popups.push(String(new URL(url === undefined ? "about:blank" : url, location.href)));
    } catch (e) {
      popups.push(String(url).slice(0, 2000));
    }
  };
  try {
    window.open = function (url) {
      recordPopup(url);
      return null;
    };
  } catch (e) { /* a frozen window: the crawler still closes any popup that opens */ }
  window.addEventListener(
    "click",
    (event) => {
      const link = event.target instanceof Element ? event.target.closest("a[href], area[href]") : null;
      const target = link ? (link.getAttribute("target") || "").toLowerCase() : "";
      if (link && target && !["_self", "_top", "_parent"].includes(target)) {
        event.preventDefault();
        recordPopup(link.href);
      }
    },
    true,
  );
  // Which script writes which cookie: the stack of the document.cookie setter names it.
  try {
    const desc = Object.getOwnPropertyDescriptor(Document.prototype, "cookie");
    if (desc && desc.set) {
      const writes = [];
      Object.defineProperty(window, "__complyscanCookieWrites", { value: writes });
      Object.defineProperty(Document.prototype, "cookie", {
        configurable: true,
        enumerable: desc.enumerable,
        get() {
          return desc.get.call(this);
        },
        set(value) {
          if (writes.length < 500) {
            const stack = (new Error().stack || "").split("\n").slice(2);
            const m = stack.map((l) => l.match(/(https?:\/\/[^\s)]+?):\d+:\d+/)).find((x) => x);
            writes.push({ cookie: String(value).slice(0, 4096), script: m ? m[1] : null });
          }
          return desc.set.call(this, value);
        },
      });
    }
  } catch (e) { /* not fatal: Set-Cookie headers are still recorded */ }
})();
