// The way a shop bundles Sentry: its npm package, bundled by the site's build (esbuild here),
// exposed as window.Sentry for the page's own init call.
import * as Sentry from "@sentry/browser";

window.Sentry = Sentry;
