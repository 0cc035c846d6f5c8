// Installed with guard.js in every frame, and evaluated in every worker (dedicated, shared,
// service) before its own script runs where the browser lets it. WebSockets are not paused by
// CDP Fetch like other requests: one to a private address the user did not put in scope is
// refused here, and listed for the crawler. (The browser's resolver rules refuse such
// addresses in every context anyway; this makes the refusal visible to the report at once.)
(() => {
  const allowed = __COMPLYSCAN_ALLOWED_ADDRESSES__;
  const blocked = [];
  try {
    Object.defineProperty(self, "__complyscanBlocked", { value: blocked });
  } catch (e) { /* defined already */ }
  const isPrivate = (name) => {
    const host = name.replace(/^\[|\]$/g, "").replace(/\.$/, "").toLowerCase();
    if (allowed.includes(host)) return false;
    if (host === "localhost" || host.endsWith(".localhost")) return true;
    const v4 = host.match(/^(\d+)\.(\d+)\.\d+\.\d+$/);
    if (v4) {
      const [a, b] = [Number(v4[1]), Number(v4[2])];
      return a === 0 || a === 10 || a === 127 || a >= 224 || (a === 169 && b === 254) ||
        (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168) ||
        (a === 100 && b >= 64 && b < 128);
    }
    return host.includes(":") &&
      (host === "::1" || host === "::" || /^(f[cd]|fe[89ab]|::ffff:)/.test(host));
  };
  if (typeof self.WebSocket !== "function") return;
  try {
    self.WebSocket = new Proxy(self.WebSocket, {
      construct(target, args, newTarget) {
        const url = new URL(String(args[0]), self.location.href);
        if (isPrivate(url.hostname)) {
          if (blocked.length < 100) blocked.push(url.href);
          throw new DOMException("a private address (blocked by the scanner)", "SecurityError");
        }
        return Reflect.construct(target, args, newTarget);
      },
    });
  } catch (e) { /* a frozen global */ }
})();
