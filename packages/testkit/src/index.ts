export { chromiumMissing, chromiumPath, type LaunchedBrowser, type LaunchOptions, launchChromium } from './chromium.js';
export { type LoopbackServer, listenOnLoopback, type RouteHandler, type StaticSite, staticSite } from './server.js';
