// Runs in each frame after the page settled: what the page offers a visitor, read from the DOM.
// Returns plain data only; the crawler classifies it. Nothing here clicks or submits.
() => {
  const text = (el) => (el ? (el.innerText || el.textContent || "").replace(/\s+/g, " ").trim() : "");
  const labelFor = (input) => {
    if (input.labels && input.labels.length) return text(input.labels[0]).slice(0, 200);
    const aria = input.getAttribute("aria-label") || "";
    if (aria) return aria.slice(0, 200);
    const by = input.getAttribute("aria-labelledby");
    if (by) {
      const el = document.getElementById(by.split(/\s+/)[0]);
      if (el) return text(el).slice(0, 200);
    }
    const ph = input.getAttribute("placeholder") || "";
    if (ph) return ph.slice(0, 200);
    const wrap = input.closest("label, p, div, li, td, dd");
    return wrap ? text(wrap).slice(0, 200) : "";
  };
  const SKIP_TYPES = new Set(["hidden", "submit", "button", "reset", "image", "file"]);
  // Each field gets a mark so that the leak probe can type into exactly this element later.
  let mark = 0;
  const fieldOf = (el) => ({
    mark: (el.setAttribute("data-complyscan-field", String(++mark)), String(mark)),
    tag: el.tagName.toLowerCase(),
    type: (el.getAttribute("type") || (el.tagName === "INPUT" ? "text" : "")).toLowerCase(),
    name: el.getAttribute("name") || "",
    id: el.id || "",
    autocomplete: (el.getAttribute("autocomplete") || "").toLowerCase(),
    label: labelFor(el),
  });
  const selectorOf = (el, index) => {
    if (el.id) return `${el.tagName.toLowerCase()}#${el.id}`;
    const name = el.getAttribute("name");
    if (name) return `${el.tagName.toLowerCase()}[name="${name}"]`;
    return `${el.tagName.toLowerCase()}:nth-of-type(${index + 1})`;
  };
  const forms = [];
  Array.from(document.forms).forEach((form, index) => {
    const fields = Array.from(form.elements)
      .filter((el) => ["INPUT", "SELECT", "TEXTAREA"].includes(el.tagName))
      .filter((el) => !SKIP_TYPES.has((el.getAttribute("type") || "").toLowerCase()))
      .map(fieldOf);
    // A button's formaction overrides where the form goes: each distinct target is recorded.
    const targets = new Set();
    Array.from(form.querySelectorAll("button[formaction], input[formaction]")).forEach((b) => {
      targets.add(b.formAction);
    });
    forms.push({
      action: form.action || document.baseURI,
      method: (form.method || "get").toLowerCase(),
      selector: selectorOf(form, index),
      fields,
      formactions: Array.from(targets),
    });
  });
  // Inputs outside any <form> (script-driven sign-ups) are a form of their own, sent by script.
  const loose = Array.from(document.querySelectorAll("input, select, textarea"))
    .filter((el) => !el.form)
    .filter((el) => !SKIP_TYPES.has((el.getAttribute("type") || "").toLowerCase()))
    .map(fieldOf);
  if (loose.length) {
    forms.push({
      action: document.baseURI,
      method: "script",
      selector: "(inputs outside a form)",
      fields: loose,
      formactions: [],
    });
  }
  const inFooter = (el) => !!el.closest("footer, [role=contentinfo], #footer, .footer");
  const anchors = Array.from(document.querySelectorAll("a[href], area[href]"))
    .slice(0, 5000)
    .map((a) => ({ href: a.href, text: text(a).slice(0, 200), footer: inFooter(a) }));
  const frames = Array.from(document.querySelectorAll("iframe[src], frame[src]")).map((f) => f.src);
  // Mixed content: the browser upgrades passive http:// subresources, so the network log alone
  // misses them; the document's own URLs tell.
  const mixed = [];
  if (location.protocol === "https:") {
    const attrs = [
      ["img", "src"], ["script", "src"], ["iframe", "src"], ["audio", "src"], ["video", "src"],
      ["source", "src"], ["embed", "src"], ["object", "data"], ["link[rel~=stylesheet]", "href"],
      ["img", "srcset"],
    ];
    for (const [sel, attr] of attrs) {
      document.querySelectorAll(sel).forEach((el) => {
        const raw = el.getAttribute(attr) || "";
        for (const part of raw.split(",")) {
          const u = part.trim().split(/\s+/)[0];
          if (!u) continue;
          try {
            const abs = new URL(u, document.baseURI);
            if (abs.protocol === "http:") mixed.push(`${el.tagName.toLowerCase()} ${abs.href}`);
          } catch (e) { /* not a URL */ }
        }
      });
    }
  }
  // Storage keys only: values may hold what a visitor typed, and a report is not the place.
  const keysOf = (name) => {
    try {
      const store = window[name];
      return Array.from({ length: Math.min(store.length, 200) }, (_, i) => store.key(i));
    } catch (e) {
      return []; // storage denied (sandboxed frame, opaque origin)
    }
  };
  return {
    title: document.title || "",
    origin: location.origin,
    localStorage: keysOf("localStorage"),
    sessionStorage: keysOf("sessionStorage"),
    url: location.href,
    forms,
    anchors,
    frames,
    mixed,
    cookieWrites: (window.__complyscanCookieWrites || []).slice(0, 500),
    popups: (window.__complyscanPopups || []).slice(0, 50),
    blocked: (window.__complyscanBlocked || []).slice(0, 100),
  };
}
